// The target of bench/compare/http.mjs: `node http-child.mjs <store> <checkoutA> <checkoutB>`.
// One facade (this checkout's) on <store> with one device redeemed online; each checkout's
// createNodeHandler and createHttpHandler (behind the reference server's glue) serve it side by
// side in this process. Answers `token`, `stats` (calls and CPU per call since the last), `stop`.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listen } from '../../examples/server/src/nodeHttp.mjs';
import { benchServer, lapClock, openBenchStore, redeemBenchDevice } from '../src/_server-setup.mjs';
const [kind, ...checkouts] = process.argv.slice(2);
const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const lap = lapClock();
const { store, close } = await openBenchStore(kind, lap.clock);
const { server } = await benchServer(store, lap, { n: 64 });
const { pollToken } = await redeemBenchDevice(server, lap);
let ok = 0;
let refused = 0;
const urls = {};
for (const [side, root] of checkouts.entries()) {
  const { createHttpHandler } = await import(pathToFileURL(join(root, 'packages/server/dist/index.js')).href);
  const { createNodeHandler } = await import(pathToFileURL(join(root, 'packages/server/dist/node.js')).href);
  const node = createServer(createNodeHandler({ server, log: (e) => (e.status === 200 ? ok++ : refused++) }));
  await new Promise((r) => node.listen(0, '127.0.0.1', r));
  urls[`node:${'AB'[side]}`] = `http://127.0.0.1:${node.address().port}`;
  const fetchH = createHttpHandler({ server });
  const count = async (req) => {
    const res = await fetchH(req);
    if (res.status === 200) ok++;
    else refused++;
    return res;
  };
  const f = await listen(count, { host: '127.0.0.1', port: 0 });
  urls[`fetch:${'AB'[side]}`] = f.url;
}
emit({ urls });
let mark = process.cpuUsage();
process.stdin.setEncoding('utf8');
let input = '';
process.stdin.on('data', async (c) => {
  input += c;
  for (let i; (i = input.indexOf('\n')) >= 0; ) {
    const cmd = input.slice(0, i).trim();
    input = input.slice(i + 1);
    if (cmd === 'token') emit({ token: await pollToken() });
    else if (cmd === 'stats') {
      const cpu = process.cpuUsage(mark);
      const n = ok + refused;
      emit({ ok, refused, us: n ? (cpu.user + cpu.system) / n : null });
      ok = 0;
      refused = 0;
      mark = process.cpuUsage();
    } else if (cmd === 'stop') {
      await close();
      process.exit(0);
    }
  }
});
