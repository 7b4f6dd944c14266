import fc from 'fast-check';
import type { JWTPayload } from 'jose';
import { isStorableText } from '../../src/db/storable-text';
import { params, propertyTimeout } from '../fuzz/fuzz-kit';
import { send } from '../helpers/http';
import { providerToken, signingKey, startProvider, type Provider, type SigningKey } from '../helpers/identity-provider';
import { fillTemplate, operations } from '../helpers/spec';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { tokenFor } from '../helpers/tokens';

// The claims of a validly signed token that reach the database (the subject becomes a users row's
// key, the email its email) are checked first: a subject PostgreSQL cannot store (U+0000, an
// unpaired surrogate), or that is empty or over 255 characters, is `Invalid token` (401) on
// every authenticated route, for the service's own secret and for an identity provider's keys,
// even with users provisioned on first use. An email claim that cannot be stored is left out.

let app: TestApp;
let provider: Provider;
let key: SigningKey;

beforeAll(async () => {
  key = await signingKey('EdDSA', 'claims-key');
  provider = await startProvider([key.jwk]);
  app = await startTestApp({ JWT_JWKS_URL: provider.url, AUTH_PROVISION_USERS: 'true' });
});
afterAll(async () => {
  await app?.stop();
  await provider?.stop();
});

type Signer = 'own secret' | 'identity provider';
const sign = (signer: Signer, claims: JWTPayload) => (signer === 'own secret' ? tokenFor(undefined, { claims }) : providerToken(key, undefined, { claims }));

const call = (method: string, path: string, token: string) => send(app, method, path, { token, body: ['POST', 'PUT'].includes(method) ? { title: 'claims' } : undefined });

const secured = operations.filter((op) => op.secured);
const SIGNERS: Signer[] = ['own secret', 'identity provider'];
const path = (template: string) => fillTemplate(template, { task_id: '3f1c2a9e-8d4b-4f7a-9c2e-1a2b3c4d5e6f', user_id: 'a%00b' });

describe.each(SIGNERS)('a token signed with the %s', (signer) => {
  test.each(secured.map((op) => [op.method, op.template] as const))('whose sub holds U+0000: %s %s answers 401 Invalid token', async (method, template) => {
    const sent = await call(method, path(template), await sign(signer, { sub: 'a\u0000b' }));
    expect({ status: sent.status, json: sent.json }).toEqual({ status: 401, json: expect.objectContaining({ detail: 'Invalid token' }) });
  });
});

/** Subjects of every kind: any UTF-16 (lone surrogates included), NUL inside, empty, too long. */
const subject = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\uDBFF\u0041'), fc.string({ maxLength: 10 })).map((parts) => parts.join('')),
  fc.constantFrom('', 'x'.repeat(255), 'x'.repeat(256)),
);
const claimName = fc.constantFrom('sub', 'user_id', 'id');
const email = fc.oneof(fc.constant(undefined), fc.emailAddress(), fc.constantFrom('a\u0000b@example.org', '\uD800@example.org', `${'x'.repeat(250)}@example.org`));

const provisioned = new Set<string>();

test(
  'any subject: stored as the caller when PostgreSQL can hold it, else 401 Invalid token; an email that cannot be stored is left out',
  async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SIGNERS), claimName, subject, email, async (signer, name, id, address) => {
        const token = await sign(signer, { [name]: id, ...(address === undefined ? {} : { email: address }) });
        const sent = await call('GET', '/auth/me', token);
        const usable = id.length >= 1 && id.length <= 255 && isStorableText(id);
        if (!usable) {
          expect({ id, status: sent.status, detail: sent.json?.detail }).toEqual({ id, status: 401, detail: 'Invalid token' });
          return;
        }
        expect({ id, status: sent.status }).toEqual({ id, status: 200 });
        expect(sent.json.id).toBe(id);
        if (provisioned.has(id)) return; // the row, and its email, came from an earlier case
        provisioned.add(id);
        const kept = address?.trim().toLowerCase();
        if (sent.json.email !== null) expect(sent.json.email).toBe(kept);
        if (kept !== undefined && !(kept.length <= 254 && isStorableText(kept))) expect(sent.json.email).toBeNull();
      }),
      params({ numRuns: Math.max(150, params().numRuns!) }),
    );
  },
  propertyTimeout(),
);
