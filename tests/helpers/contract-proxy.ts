import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { contractFetch } from './contract';

// For clients that run in a process of their own (curl from the README, a scratch project using
// the SDK package): a loopback proxy in front of a test service that sends every request through
// `contractFetch`, so each response they get is checked against openapi.yaml as in-process tests'
// are. A response that breaks the contract is recorded in `violations` and answered 502.

export interface ContractProxy {
  /** Where the client should send its requests (the proxy's origin). */
  url: string;
  /** Every contract violation seen so far, one line each. */
  violations: string[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'content-length']);

export async function startContractProxy(target: string): Promise<ContractProxy> {
  const violations: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      contractFetch(`${target}${req.url}`, { method: req.method, headers, body: body && new Uint8Array(body), redirect: 'manual' })
        .then(async (answer) => {
          const payload = Buffer.from(await answer.arrayBuffer());
          const out: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') out[name] = value;
          });
          res.writeHead(answer.status, { ...out, 'content-length': String(payload.length) }).end(payload);
        })
        .catch((error: Error) => {
          violations.push(`${req.method} ${req.url}: ${error.message}`);
          res.writeHead(502, { 'content-type': 'text/plain' }).end(`contract proxy: ${error.message}\n`);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    violations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
