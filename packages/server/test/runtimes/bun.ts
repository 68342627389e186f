// Bun entry: Bun.serve on an ephemeral loopback port; prints `PORT <n>`.
import { createApp } from './app.js';

declare const Bun: { serve(o: { hostname: string; port: number; fetch: (req: Request) => Promise<Response> }): { port: number } };
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: createApp() });
console.log(`PORT ${server.port}`);
