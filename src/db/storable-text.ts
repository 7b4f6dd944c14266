// What PostgreSQL text can hold exactly: no U+0000 (refused by the server), and Unicode only (an
// unpaired UTF-16 surrogate would be stored as U+FFFD). Whatever reaches the database from a
// client, a body field or a token's claim, is checked against this first.

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
export const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether PostgreSQL text can hold `text` exactly. */
export const isStorableText = (text: string) => !UNSTORABLE.test(text);
