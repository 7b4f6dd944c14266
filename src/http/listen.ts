import http, { type Server } from 'node:http';
import type Koa from 'koa';
import type { Config } from '../config';

/**
 * Listens with timeouts that cut off slow clients (slowloris: headers trickled byte by byte,
 * bodies that never finish) so they cannot hold connections and starve everyone else. Node
 * checks those timeouts only every `connectionsCheckingInterval` (30 s by default), so the
 * interval follows the shortest of them.
 */
export async function listen(app: Koa, config: Config, port = config.port, host = config.host): Promise<Server> {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.http;
  const server = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
    },
    app.callback(),
  );
  server.listen({ port, host });
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return server;
}
