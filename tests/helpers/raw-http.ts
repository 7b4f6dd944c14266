import net from 'node:net';

// Raw HTTP/1.1 over a socket, for what fetch will not do: send a Content-Length and not the body,
// trickle headers byte by byte, hold a request half-sent, or watch the server close on us.

export interface RawConnection {
  socket: net.Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** Resolves when the server closed the connection (or it errored); with when, in ms since connect. */
  closed: Promise<{ error?: string; afterMs: number }>;
  isClosed(): boolean;
  /** Writes, resolving once flushed; false if the connection is already gone. */
  write(data: string | Buffer): Promise<boolean>;
  /** Resolves once the received text (latin1) matches `pattern`; rejects after `ms` or when closed without it. */
  waitFor(pattern: RegExp | ((text: string) => boolean), ms?: number): Promise<string>;
  destroy(): void;
}

const open = new Set<net.Socket>();
if (typeof afterAll === 'function') {
  afterAll(() => {
    for (const socket of open) socket.destroy();
  });
}

export function connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const started = Date.now();
    const chunks: Buffer[] = [];
    let closedFlag = false;
    let closeError: string | undefined;
    const listeners = new Set<() => void>();
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      listeners.forEach((l) => l());
    });
    const closed = new Promise<{ error?: string; afterMs: number }>((done) => {
      socket.on('error', (err) => {
        closeError = (err as NodeJS.ErrnoException).code ?? err.message;
      });
      socket.on('close', () => {
        closedFlag = true;
        open.delete(socket);
        listeners.forEach((l) => l());
        done({ error: closeError, afterMs: Date.now() - started });
      });
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      open.add(socket);
      resolve({
        socket,
        received: () => Buffer.concat(chunks),
        closed,
        isClosed: () => closedFlag,
        write(data) {
          if (closedFlag || socket.destroyed || !socket.writable) return Promise.resolve(false);
          return new Promise((ok) => socket.write(data, (err) => ok(!err)));
        },
        waitFor(pattern, ms = 15_000) {
          const matches = typeof pattern === 'function' ? pattern : (text: string) => pattern.test(text);
          const what = typeof pattern === 'function' ? 'the expected response' : String(pattern);
          return new Promise<string>((ok, fail) => {
            const check = () => {
              const text = Buffer.concat(chunks).toString('latin1');
              if (matches(text)) {
                done();
                ok(text);
              } else if (closedFlag) {
                done();
                fail(new Error(`connection closed before ${what} arrived; received: ${text.slice(0, 500)}`));
              }
            };
            const timer = setTimeout(() => {
              done();
              fail(new Error(`${what} not received within ${ms} ms; received: ${Buffer.concat(chunks).toString('latin1').slice(0, 500)}`));
            }, ms);
            const done = () => {
              clearTimeout(timer);
              listeners.delete(check);
            };
            listeners.add(check);
            check();
          });
        },
        destroy: () => socket.destroy(),
      });
    });
  });
}

/**
 * Resolves with the first complete final (non-1xx) response on `conn` (Content-Length or chunked)
 * among the bytes received from offset `from` on (a later request's answer on a kept-alive connection).
 */
export function readResponse(conn: RawConnection, ms = 15_000, from = 0): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const complete = (text: string) => {
    const start = text.search(/HTTP\/1\.1 [2-5]\d\d /);
    if (start < 0) return false;
    const rest = text.slice(start);
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const head = rest.slice(0, end).toLowerCase();
    const body = rest.slice(end + 4);
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    if (length) return Buffer.byteLength(body, 'latin1') >= Number(length[1]);
    if (/\r\ntransfer-encoding: *chunked/.test(head)) return /(^|\r\n)0\r\n\r\n$/.test(body);
    return true;
  };
  return conn.waitFor((text) => complete(text.slice(from)), ms).then((text) => {
    const parsed = parseResponse(text.slice(from));
    return { ...parsed, body: Buffer.from(parsed.body, 'latin1').toString('utf8') };
  });
}

/** Status code of the first (non-1xx) response in `text`, if its status line has arrived. */
export function finalStatus(text: string): number | undefined {
  for (const match of text.matchAll(/HTTP\/1\.1 (\d{3})[^\r\n]*\r\n/g)) {
    const status = Number(match[1]);
    if (status >= 200) return status;
  }
  return undefined;
}

/** Header block + body of the final response in `text` (headers lower-cased). */
export function parseResponse(text: string): { status: number; headers: Record<string, string>; body: string } {
  const responses = text.split(/(?=HTTP\/1\.1 \d{3} )/).filter((part) => part.startsWith('HTTP/1.1 '));
  const last = responses.find((r) => Number(r.slice(9, 12)) >= 200) ?? responses[responses.length - 1];
  const [head, ...rest] = last.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  let body = rest.join('\r\n\r\n');
  if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** Resolves once a connection to `port` is refused (true) or accepted (false). */
export function isRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err) => resolve((err as NodeJS.ErrnoException).code === 'ECONNREFUSED'));
  });
}

/** Sends `head` (request line and headers, without the blank line) and `body` on a fresh connection; the response. */
export async function rawExchange(port: number, head: string, body: string | Buffer = '', ms = 15_000) {
  const conn = await connect(port);
  try {
    await conn.write(Buffer.concat([Buffer.from(`${head}\r\nConnection: close\r\n\r\n`, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body)]));
    return await readResponse(conn, ms);
  } finally {
    conn.destroy();
  }
}
