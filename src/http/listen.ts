import type { Server } from 'node:http';
import type Koa from 'koa';
import type { Config } from '../config';

/**
 * Listens with timeouts that cut off slow clients (slowloris: headers trickled byte by byte,
 * bodies that never finish) so they cannot hold connections and starve everyone else.
 */
export async function listen(app: Koa, config: Config, port = config.port, host = config.host): Promise<Server> {
  const server = app.listen({ port, host });
  server.headersTimeout = config.http.headersTimeoutMs;
  server.requestTimeout = Math.max(config.http.requestTimeoutMs, config.http.headersTimeoutMs);
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return server;
}
