import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';
import { REDIS } from './helpers.js';

/** What the proxy does with the traffic after {@link CutProxy.arm}. */
export type CutMode =
  /** Forward everything; record how many request bytes had passed when each reply chunk came. */
  | { kind: 'count' }
  /** Forward exactly `bytes` request bytes, then close both sides: Redis gets a partial command. */
  | { kind: 'cut'; bytes: number }
  /**
   * Forward requests; drop the first reply that arrives once `afterBytes` request bytes have
   * passed (the reply to the request ending there: the adapter awaits each reply before its
   * next request) and close both sides. Redis has executed that request.
   */
  | { kind: 'dropReply'; afterBytes: number };

/**
 * A TCP proxy in front of the test Redis that drops the connection at a chosen point inside
 * an operation, to show that a dropped connection never leaves a half-applied state.
 */
export class CutProxy {
  private server: Server | undefined;
  private mode: CutMode | null = null;
  private up = 0;
  private readonly pairs = new Set<[Socket, Socket]>();
  /** Request bytes forwarded when replies arrived (count mode): the end of each request. */
  readonly marks: number[] = [];
  port = 0;

  /** @param target the Redis the proxy forwards to (default: the shared test Redis). */
  constructor(private readonly target: { host: string; port: number } = REDIS) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection({ host: this.target.host, port: this.target.port });
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const kill = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', kill);
      upstream.on('error', kill);
      client.on('close', kill);
      upstream.on('close', kill);
      client.on('data', (chunk: Buffer) => {
        const m = this.mode;
        if (m?.kind === 'cut') {
          const room = m.bytes - this.up;
          if (chunk.length >= room) {
            this.up += room;
            this.mode = null;
            // end() flushes the partial command to Redis before the FIN; then the client goes.
            upstream.end(chunk.subarray(0, room));
            client.destroy();
            return;
          }
        }
        if (m) this.up += chunk.length;
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        const m = this.mode;
        if (m) {
          if (m.kind === 'count' && this.marks[this.marks.length - 1] !== this.up) this.marks.push(this.up);
          if (m.kind === 'dropReply' && this.up >= m.afterBytes) {
            this.mode = null;
            kill();
            return;
          }
        }
        client.write(chunk);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Starts watching the traffic of the (idle, connected) client from here on. */
  arm(mode: CutMode): void {
    this.mode = mode;
    this.up = 0;
    this.marks.length = 0;
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
