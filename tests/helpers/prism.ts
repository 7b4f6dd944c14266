import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../scripts/free-port';
import { percentDecodable } from '../../src/http/well-formed-url';

// Live-traffic validation by an independent validator. With PRISM_PROXY=1 every request the
// tests make through `contractFetch` (SDK clients, `app.request`, raw calls) goes through
// `prism proxy openapi.yaml … --errors` (@stoplight/prism-cli 5.14.2) on its way to the service:
// Prism checks the request against openapi.yaml before forwarding it, and the response before
// passing it back. A request that breaks the contract is answered by Prism itself (422, or 401
// for missing credentials) and never reaches the service: contract.ts then sends it straight to
// the service, whose own answer is what such a test is about, so no test has to know Prism is
// there. A response that breaks the contract becomes Prism's 500 "VIOLATIONS", and lesser findings
// come back in an `sl-violations` header: contract.ts fails the test that caused either.
//
// One Prism serves the whole run (started by global-setup.ts: a Prism takes seconds to start,
// and the suite starts dozens of services). Its upstream is a small router in the jest parent
// process that sends each request on to the service named in its `x-test-upstream` header (a
// loopback origin), with the Host header that service would have seen directly, so `Link` and
// `servers` still name the service itself.
//
// Without PRISM_PROXY nothing here runs: requests go straight to the service, as before.

export const prismEnabled = /^(1|true|yes)$/i.test(process.env.PRISM_PROXY ?? '');

/** Header naming the service (its origin) that a request sent to Prism is meant for. */
export const UPSTREAM_HEADER = 'x-test-upstream';

/** Where global-setup.ts left the proxy for the test files. */
export function prismUrl(): string {
  const url = process.env.TASK_API_PRISM_URL;
  if (!url) throw new Error('PRISM_PROXY is set, but no Prism was started (tests/helpers/global-setup.ts runs it)');
  return url;
}

/**
 * What goes straight to the service even behind Prism; contract.ts checks it as in the direct run.
 * Outside the contract on purpose, so Prism has nothing to validate it against (it would answer
 * 404/405 itself): the human-facing docs pages, CORS preflights (OPTIONS), and HEAD (answered from
 * the GET route; OpenAPI 3.0 has no implicit HEAD). And two requests Prism 5.14.2 cannot carry:
 * a URL that cannot be percent-decoded (it dies of an uncaught URIError while matching path
 * templates, taking every later test down with it), and a JSON `null` body (on an operation whose
 * body is optional, such as toggle, Prism never answers: the exchange hangs for a minute and more).
 */
export function bypassesPrism(method: string, pathAndQuery: string, body?: ArrayBuffer): boolean {
  return (
    /^\/(docs|problems)(\/|\?|$)/.test(pathAndQuery) ||
    method === 'OPTIONS' ||
    method === 'HEAD' ||
    !percentDecodable(pathAndQuery) ||
    (body !== undefined && Buffer.from(body).toString('utf8').trim() === 'null')
  );
}

// ---------------------------------------------------------------------------------------------
// Started once per run, from global-setup.ts (jest's parent process)
// ---------------------------------------------------------------------------------------------

export interface Stoppable {
  url: string;
  stop(): Promise<void>;
  /** Requests passed on so far (the router only). */
  count?(): number;
}

const SPEC = path.resolve(__dirname, '../../openapi.yaml');
const STARTUP_TIMEOUT_MS = 120_000;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

function listening(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The upstream Prism forwards to: passes each request on to the loopback service named in its
 * `x-test-upstream` header, as that service would have received it directly (same Host, same
 * path and body). No keep-alive towards the services: they stop and restart all the time.
 */
export async function startUpstreamRouter(): Promise<Stoppable> {
  const agent = new http.Agent({ keepAlive: false });
  let passed = 0;
  const server = http.createServer((req, res) => {
    const fail = (message: string) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`test upstream router: ${message}`);
    };
    let target: URL;
    try {
      target = new URL(String(req.headers[UPSTREAM_HEADER]));
    } catch {
      return fail(`no valid ${UPSTREAM_HEADER} header`);
    }
    if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
      return fail(`${target.origin} is not a loopback service`);
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host };
    for (const name of [UPSTREAM_HEADER, ...HOP_BY_HOP]) delete headers[name];
    passed += 1;
    const upstream = http.request(
      { host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        const back: http.OutgoingHttpHeaders = { ...answer.headers };
        for (const name of HOP_BY_HOP) delete back[name];
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => fail(`${target.origin}: ${error.message}`));
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  const port = await listening(server);
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => passed,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * `prism proxy openapi.yaml <upstream> --errors` on a free port; resolves once it accepts
 * connections. PRISM_LOG_DIR keeps its output (errors and violations) in prism.log there.
 */
export async function startPrism(upstream: string): Promise<Stoppable> {
  const port = await freePort();
  const cli = require.resolve('@stoplight/prism-cli/dist/index.js');
  const child = spawn(
    process.execPath,
    [cli, 'proxy', SPEC, upstream, '--errors', '--port', String(port), '--host', '127.0.0.1', '--cors=false', '--verboseLevel', 'error'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0' } },
  );
  const lines: string[] = [];
  const logFile = process.env.PRISM_LOG_DIR ? path.join(process.env.PRISM_LOG_DIR, 'prism.log') : undefined;
  if (logFile) fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const keep = (chunk: Buffer) => {
    if (logFile) fs.appendFileSync(logFile, chunk);
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `code ${code}, signal ${signal}`;
      if (logFile) fs.appendFileSync(logFile, `\n[prism exited: ${exited}]\n`);
      resolve();
    }),
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (exited) throw new Error(`prism proxy exited (${exited}) before listening:\n${lines.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prism proxy did not listen on ${port} within ${STARTUP_TIMEOUT_MS} ms:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}
