import net from 'node:net';
import { freePort } from '../../../scripts/free-port';

// A TCP proxy in the test process, between the service and PostgreSQL, that a test can cut and
// restore: the database "goes away" for the service while the real server keeps running for
// everyone else. It also knows exactly which server-side connections belong to the service
// (the local ports of its upstream sockets = pg_stat_activity.client_port).

export interface Link {
  client: net.Socket;
  upstream: net.Socket;
}

export class TcpProxy {
  readonly links = new Set<Link>();
  /** The most connections open at once since the proxy started (or since `resetPeak`). */
  peak = 0;
  /** Connections accepted since the proxy started. */
  accepted = 0;
  private server: net.Server | undefined;
  private stalled = false;
  private held: net.Socket[] = [];

  private constructor(
    readonly port: number,
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  /** A proxy on a free local port; `up` (default) starts accepting at once. */
  static async create(upstreamHost: string, upstreamPort: number, up = true): Promise<TcpProxy> {
    const port = await freePort();
    const proxy = new TcpProxy(port, upstreamHost, upstreamPort);
    if (up) await proxy.up();
    return proxy;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  /** Starts accepting connections (again) on the same port. */
  async up(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => this.accept(client));
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()));
    this.server = server;
  }

  /**
   * The outage: stop accepting (new connections are refused) and destroy every open connection
   * in both directions, as when the database host goes away.
   */
  async cut(): Promise<void> {
    this.stalled = false;
    for (const client of this.held) client.destroy();
    this.held = [];
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    this.links.clear();
    await closed;
  }

  /**
   * A partition that drops nothing and refuses nothing: connections are still accepted, but no
   * byte moves in either direction (as when packets are silently lost) until `heal`.
   */
  stall(): void {
    this.stalled = true;
    for (const { client, upstream } of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Ends a stall: held bytes flow again, held connections reach the server. */
  heal(): void {
    this.stalled = false;
    for (const { client, upstream } of this.links) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    const held = this.held;
    this.held = [];
    for (const client of held) if (!client.destroyed) this.forward(client);
  }

  /** Local ports of the upstream sockets: the service's backends in pg_stat_activity.client_port. */
  upstreamPorts(): number[] {
    return [...this.links].map((l) => l.upstream.localPort).filter((p): p is number => typeof p === 'number');
  }

  resetPeak(): void {
    this.peak = this.links.size;
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private accept(client: net.Socket) {
    this.accepted++;
    if (this.stalled) {
      client.pause();
      client.on('error', () => client.destroy());
      this.held.push(client);
      return;
    }
    this.forward(client);
  }

  private forward(client: net.Socket) {
    const upstream = net.connect(this.upstreamPort, this.upstreamHost);
    const link = { client, upstream };
    this.links.add(link);
    this.peak = Math.max(this.peak, this.links.size);
    const drop = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
