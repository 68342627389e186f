// Deno entry: Deno.serve on an ephemeral loopback port; prints `PORT <n>`.
import { createApp } from './app.js';

declare const Deno: {
  serve(o: { hostname: string; port: number; onListen: (a: { port: number }) => void }, handler: (req: Request) => Promise<Response>): unknown;
};
Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`PORT ${port}`) }, createApp());
