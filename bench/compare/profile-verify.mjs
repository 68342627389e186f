// A CPU profile of verifyOtp end to end on one store, as bench/src/server.mjs runs it (64 in
// flight, lap clock, every call an acceptance): `node --expose-gc bench/compare/profile-verify.mjs
// <memory|sqlite|postgres|redis|redis+autopipelining|postgres+redis|postgres+redis+bg> [out.cpuprofile]`. Warms up
// 1 s, profiles 3 s (sampling every 50 us), prints verifications/s and CPU per verify, and writes
// the profile (open it in Chrome DevTools, or list self time with profile-top.mjs).
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { benchServer, lapClock, openBenchStore, timedRun } from '../src/_server-setup.mjs';
const kind = process.argv[2] ?? 'memory';
const lap = lapClock();
const { store, close, serverOptions } = await openBenchStore(kind, lap.clock);
const { verifyNext, settle } = await benchServer(store, lap, { serverOptions });
await timedRun(verifyNext, { ms: 1000, inFlight: 64, settle });
const s = new Session(); s.connect();
await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 50 }); await s.post('Profiler.start');
const c0 = process.cpuUsage();
const r = await timedRun(verifyNext, { ms: 3000, inFlight: 64, settle });
const c = process.cpuUsage(c0);
const { profile } = await s.post('Profiler.stop');
const out = process.argv[3] ?? `verify-${kind}.cpuprofile`;
writeFileSync(out, JSON.stringify(profile));
console.log(kind, Math.round(r.perSecond), '/s', r.ok, 'ok', r.refused, 'refused', ((c.user + c.system) / (r.ok + r.refused)).toFixed(1), 'us CPU/verify');
await close();
process.exit(0);
