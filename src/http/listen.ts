import http, { type Server } from 'node:http';
import net, { type Socket } from 'node:net';
import type Koa from 'koa';
import type { Config } from '../core/config';

/** A listening server, and how to stop it gently. */
export interface Listening {
  server: Server;
  /** From now on `app` answers every request (the start-up app hands over to the whole service). */
  serve(app: Koa): void;
  /**
   * Stops taking connections and lets the requests in flight finish. Every answer from now on
   * says `Connection: close`, so clients that keep sending on their keep-alive connections learn
   * to go with their next answer; a connection that stays quiet for DRAIN_IDLE_MS is closed.
   * Resolves once the last connection is gone.
   */
  drain(): Promise<void>;
}

/** While draining, a connection with no request for this long is closed (a busy one never is). */
const DRAIN_IDLE_MS = 1000;
const DRAIN_SWEEP_MS = 200;

interface ConnectionState {
  /** Answers of this connection not yet sent in full. */
  inFlight: Set<http.ServerResponse>;
  /** When a byte last arrived or an answer last finished. */
  lastActivity: number;
}

/**
 * Listens with timeouts that cut off slow clients (slowloris: headers trickled byte by byte,
 * bodies that never finish) so they cannot hold connections and starve everyone else. Node
 * checks those timeouts only every `connectionsCheckingInterval` (30 s by default), so the
 * interval follows the shortest of them.
 */
export async function listen(app: Koa, config: Config, port = config.port, host = config.host): Promise<Listening> {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.http;
  let handle = app.callback();
  const connections = new Map<Socket, ConnectionState>();
  let draining = false;
  const server = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
    },
    (req, res) => {
      if (draining) res.setHeader('Connection', 'close');
      const state = connections.get(req.socket);
      if (state) {
        state.inFlight.add(res);
        res.once('close', () => {
          state.inFlight.delete(res);
          state.lastActivity = Date.now();
        });
      }
      void handle(req, res);
    },
  );
  server.on('connection', (socket: Socket) => {
    const state: ConnectionState = { inFlight: new Set(), lastActivity: Date.now() };
    connections.set(socket, state);
    socket.on('data', () => (state.lastActivity = Date.now()));
    socket.once('close', () => connections.delete(socket));
  });
  server.listen({ port, host });
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));

  function drain(): Promise<void> {
    draining = true;
    // Answers still being prepared close their connection too.
    for (const { inFlight } of connections.values()) {
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [socket, state] of connections) {
        if (state.inFlight.size === 0 && now - state.lastActivity >= DRAIN_IDLE_MS) socket.destroy();
      }
    }, DRAIN_SWEEP_MS);
    return new Promise((resolve) => {
      // net.Server's close, not http.Server's: the latter also cuts every idle keep-alive
      // connection at once, dropping the next request a busy client may already be sending.
      net.Server.prototype.close.call(server, () => {
        clearInterval(sweep);
        resolve();
      });
    });
  }
  return {
    server,
    drain,
    serve(next: Koa) {
      handle = next.callback();
    },
  };
}
