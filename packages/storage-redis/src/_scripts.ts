import { createHash } from 'node:crypto';

// The Lua scripts of the adapter: one per atomic operation (docs/storage-redis.md, section 3).
//
// Rules every script follows:
// - Every key it touches shares the hash tag of KEYS[1] (keys built inside the script from an
//   ARGV prefix carry the same tag), so it runs on one slot of a cluster. One exception:
//   GUARD_CONSUME_LOGGED writes the guard's slot and the {audit} slot, and runs only when the
//   store was made with `singleServer: true` (every key on one server: docs/storage-redis.md 3.3).
// - `now` comes from the caller's injected clock (ARGV); no script calls TIME.
// - Numbers arrive and leave as decimal strings. Comparisons use tonumber() (doubles, exact
//   up to 2^53, which covers every bound); computed numbers are written with %.0f, never
//   tostring(), which switches to exponent notation above 14 digits.
// - Checks come before the first write, and every value a check needs is tested for being a
//   number first (a malformed field returns 'corrupt' instead of failing half-way: Redis
//   does not roll back the writes of a script that errors). A write that can still be refused
//   (an XADD: a stream's last id can lie above its newest entry) is a pcall whose refusal
//   undoes that call's earlier writes and answers 'corrupt'; a write that cannot be refused
//   (the guard's, once its type is checked) comes last.

/** A script and its SHA-1 (the EVALSHA handle). */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

export const script = (name: string, lua: string): LuaScript => ({
  name,
  lua,
  sha: createHash('sha1').update(lua).digest('hex'),
});

// HGETALL without the secret field: failure results never carry the secret.
const RECORD = `
local function record(key, withSecret)
  local h = redis.call('HGETALL', key)
  if withSecret then return h end
  local out = {}
  for i = 1, #h, 2 do
    if h[i] ~= 'k' then out[#out + 1] = h[i]; out[#out + 1] = h[i + 1] end
  end
  return out
end
`;

/**
 * A batch of hash reads (`enrolments.get`). KEYS: hash 1..n (one slot). Returns one flat
 * HGETALL reply per key, or {'corrupt'} for a key of another type (an odd-length reply, which
 * the decoder refuses).
 */
export const HASH_READ = script(
  'hash.read',
  `
local out = {}
for i = 1, #KEYS do
  local h = redis.pcall('HGETALL', KEYS[i])
  if h.err then h = {'corrupt'} end
  out[i] = h
end
return out
`,
);

/**
 * A batch of outbox settles. KEYS: outbox hash 1..n (one slot). ARGV: the audit key per outbox
 * key, in the same order. Returns one reply per key: 1 (removed or not there) | 'corrupt' (a key
 * of another type; nothing written).
 */
export const OUTBOX_SETTLE = script(
  'outbox.settle',
  `
local out = {}
for i = 1, #KEYS do
  local r = redis.pcall('HDEL', KEYS[i], ARGV[i])
  if type(r) == 'table' then out[i] = 'corrupt' else out[i] = 1 end
end
return out
`,
);

/**
 * KEYS: enrolment. ARGV: userId, secret (base64), meta, now, expiresAt, ttlMs.
 * Returns 1 when created, 0 when the id exists (nothing written).
 */
export const ENROLMENT_CREATE = script(
  'enrolment.create',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'u', ARGV[1], 's', 'pending', 'k', ARGV[2], 'm', ARGV[3], 'c', ARGV[4],
  'x', ARGV[5], 'a', '', 'r', '', 'v', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
`,
);

/**
 * KEYS: enrolment. ARGV: now, hasSecret, secret, hasMeta, meta.
 * Returns { reason [, record] }: ok (record with secret) | not_found | already_active |
 * revoked | expired (records without secret) | corrupt.
 */
export const ENROLMENT_REDEEM = script(
  'enrolment.redeem',
  `${RECORD}
local s = redis.call('HMGET', KEYS[1], 's', 'x')
if not s[1] then return {'not_found'} end
if s[1] == 'active' then return {'already_active', record(KEYS[1], false)} end
if s[1] == 'revoked' then return {'revoked', record(KEYS[1], false)} end
local x = tonumber(s[2])
if s[1] ~= 'pending' or not x then return {'corrupt'} end
if tonumber(ARGV[1]) >= x then return {'expired', record(KEYS[1], false)} end
redis.call('HSET', KEYS[1], 's', 'active', 'a', ARGV[1])
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'k', ARGV[3]) end
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'm', ARGV[5]) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('PERSIST', KEYS[1])
return {'ok', record(KEYS[1], true)}
`,
);

/**
 * KEYS: enrolment. ARGV: hasSecret, secret, hasMeta, meta, expectedVersion ('' = none).
 * Returns { reason [, record] }: ok | not_found | revoked | version_mismatch | corrupt.
 */
export const ENROLMENT_UPDATE = script(
  'enrolment.update',
  `${RECORD}
local s = redis.call('HMGET', KEYS[1], 's', 'v')
if not s[1] then return {'not_found'} end
if s[1] == 'revoked' then return {'revoked'} end
if (s[1] ~= 'pending' and s[1] ~= 'active') or not tonumber(s[2]) then return {'corrupt'} end
if ARGV[5] ~= '' and s[2] ~= ARGV[5] then return {'version_mismatch'} end
if ARGV[1] == '1' then redis.call('HSET', KEYS[1], 'k', ARGV[2]) end
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'm', ARGV[4]) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
return {'ok', record(KEYS[1], true)}
`,
);

/**
 * KEYS: enrolment. ARGV: now.
 * Returns { reason [, record] }: ok (secret wiped) | not_found | already_revoked | corrupt.
 */
export const ENROLMENT_REVOKE = script(
  'enrolment.revoke',
  `${RECORD}
local s = redis.call('HMGET', KEYS[1], 's', 'v')
if not s[1] then return {'not_found'} end
if s[1] == 'revoked' then return {'already_revoked'} end
if (s[1] ~= 'pending' and s[1] ~= 'active') or not tonumber(s[2]) then return {'corrupt'} end
redis.call('HSET', KEYS[1], 's', 'revoked', 'r', ARGV[1], 'k', '')
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('PERSIST', KEYS[1])
return {'ok', record(KEYS[1], false)}
`,
);

// Guard fields are '' or decimal text; this reads one as a number, false when absent.
const GUARD_NUM = `
local function num(v)
  if not v or v == '' then return false end
  return tonumber(v)
end
`;

// The decision of one consume, shared by both consume scripts. Reads the guard with one HMGET
// (pcall: a key of another type answers corrupt); a forgotten guard ('e' <= now) reads as
// absent. Returns {verdict, fields, forgotten, exp}: verdict 'corrupt' | 'locked' | 'replayed' |
// 'accept'. Nothing is written.
const GUARD_DECIDE = `${GUARD_NUM}
local function decide(key, now, step, unlock)
  local g = redis.pcall('HMGET', key, 'l', 'f', 'k', 'd', 'e')
  if g.err then return 'corrupt' end
  local exp = num(g[5])
  if exp == nil then return 'corrupt' end
  local forgotten = exp and tonumber(now) >= exp
  if forgotten then g = {false, false, false, false, false} end
  local last, lock = num(g[1]), num(g[3])
  if last == nil or lock == nil then return 'corrupt' end
  if lock and tonumber(now) < lock and (unlock == '' or lock > tonumber(unlock)) then return 'locked', g end
  if last and tonumber(step) <= last then return 'replayed', g end
  return 'accept', g, forgotten, exp
end
-- The acceptance: the guard's new state; a forgotten guard is deleted first, and an expiry
-- ('e' and the TTL) goes. Returns the stored drift.
local function accept(key, now, step, drift, g, forgotten, exp)
  if forgotten then redis.call('DEL', key) end
  local d = g[4] or ''
  if drift ~= '' then d = drift end
  redis.call('HSET', key, 'l', step, 'f', '0', 'k', '', 'd', d, 't', now)
  if exp and not forgotten then
    redis.call('HDEL', key, 'e')
    redis.call('PERSIST', key)
  end
  return d
end
local function refusal(verdict, g)
  if verdict == 'locked' then return {'locked', g[3], g[2] or '0'} end
  if verdict == 'replayed' then return {'replayed', g[1]} end
  return {'corrupt'}
end
`;

// One audit append in two halves, shared by AUDIT_APPEND and GUARD_CONSUME_LOGGED (every key
// in the {audit} slot). plan() only reads: when the marker of the event's idempotency key
// exists it answers {known = its id}; else the event goes to every stream it belongs to (the
// all stream, and the enrolment and user streams unless '') with one id <ms>-<seq>: ms =
// max(now, newest ms in any of those streams) (stream ids must increase: the audit clock never
// runs backwards), seq = next after the newest id at that ms. The all stream is read first;
// then one XREAD asks the enrolment and user streams for an entry newer than its newest (every
// event of theirs is in the all stream too, so they have none unless written around the
// adapter), and only a stream that has one is read in full: the same maximum, without an entry
// in the reply. A stream this script already read or wrote needs no read. A stream or marker
// key of another type (tampered data) answers {corrupt = true} (pcall). commit() writes a
// plan, each write a pcall: the XADDs (all stream first), then the marker (lifetime ttl ms
// unless ''). Redis still refuses an XADD whose id is not above the stream's last generated
// id, which lies above its newest entry after an XDEL of that entry, an XSETID or an XGROUP
// CREATE MKSTREAM done around the adapter; then commit() deletes the entries it added (XDEL)
// and returns nil: nothing of the event stays. Out of memory, which Redis reports only for a
// script's first write, fails the whole script (nothing of it was written). Only once every
// write is in does it trim the streams to minId (unless ''); returns the id.
const AUDIT_PLAN = `
local tops = {}
local function parsed(id)
  local dash = string.find(id, '-', 1, true)
  return {tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1)), id}
end
local function top(key)
  local t = tops[key]
  if t then return t end
  local r = redis.pcall('XREVRANGE', key, '+', '-', 'COUNT', 1)
  if r.err then return nil end
  t = {-1, -1}
  if #r > 0 then t = parsed(r[1][1]) end
  tops[key] = t
  return t
end
local function plan(now, marker, all, estream, ustream)
  if marker ~= '' then
    local known = redis.pcall('GET', marker)
    if type(known) == 'table' then return {corrupt = true} end
    if known then return {known = known} end
  end
  local keys = {all}
  if estream ~= '' then keys[#keys + 1] = estream end
  if ustream ~= '' then keys[#keys + 1] = ustream end
  local floor = top(all)
  if not floor then return {corrupt = true} end
  if floor[1] >= 0 then
    -- The streams not read yet: one XREAD asks whether any holds an entry above the all
    -- stream's newest (only an entry written around the adapter can be); those are read in full.
    local args = {'XREAD', 'COUNT', 1, 'STREAMS'}
    local ask = {}
    for i = 2, #keys do
      if not tops[keys[i]] then ask[#ask + 1] = keys[i]; args[#args + 1] = keys[i] end
    end
    if #ask > 0 then
      for i = 1, #ask do args[#args + 1] = floor[3] end
      local r = redis.pcall(unpack(args))
      if r and r.err then return {corrupt = true} end
      local above = {}
      if r then for _, s in ipairs(r) do above[s[1]] = true end end
      for i = 1, #ask do
        if not above[ask[i]] then tops[ask[i]] = {-1, -1} end
      end
    end
  end
  local msn, seq = now, 0
  for i = 1, #keys do
    local t = top(keys[i])
    if not t then return {corrupt = true} end
    if t[1] > msn then
      msn, seq = t[1], t[2] + 1
    elseif t[1] == msn and t[2] + 1 > seq then
      seq = t[2] + 1
    end
  end
  return {keys = keys, msn = msn, seq = seq}
end
local function commit(p, kind, enrolmentId, userId, detail, minId, marker, ttl)
  local id = string.format('%.0f', p.msn) .. '-' .. string.format('%.0f', p.seq)
  local fields = {'k', kind}
  if enrolmentId ~= '' then fields[#fields + 1] = 'e'; fields[#fields + 1] = enrolmentId end
  if userId ~= '' then fields[#fields + 1] = 'u'; fields[#fields + 1] = userId end
  fields[#fields + 1] = 'd'
  fields[#fields + 1] = detail
  local added, r = {}, nil
  for _, key in ipairs(p.keys) do
    r = redis.pcall('XADD', key, id, unpack(fields))
    if type(r) == 'table' and r.err then break end
    added[#added + 1] = key
    r = nil
  end
  if not r and marker ~= '' then
    if ttl ~= '' then r = redis.pcall('SET', marker, id, 'PX', ttl) else r = redis.pcall('SET', marker, id) end
    if not r.err then r = nil end
  end
  -- A stream that took the id keeps it as its last id, even once the entry is deleted: the
  -- next event of this script goes above it.
  for _, key in ipairs(added) do tops[key] = {p.msn, p.seq, id} end
  if r then
    if string.sub(r.err, 1, 3) == 'OOM' then error(r) end
    for _, key in ipairs(added) do redis.call('XDEL', key, id) end
    return nil
  end
  if minId ~= '' then
    for _, key in ipairs(p.keys) do redis.call('XTRIM', key, 'MINID', minId) end
  end
  return id
end
`;

/**
 * A batch of consumes that keep their audit entry in the outbox. KEYS: guard 1..n (one slot).
 * ARGV: now, step, drift ('' = keep), unlockThrough ('' = none: a lock ending at or before it
 * does not refuse), outbox key (the guard's slot), audit key ('' = no entry), audit entry
 * (JSON) per key, in the same order. A forgotten guard ('e' <= now) reads as absent and is
 * deleted by an acceptance, which also clears 'e' and its TTL and records the entry in the
 * outbox hash (docs/storage-redis.md 4). Each consume is decided and applied in turn, exactly as
 * if it ran alone (a key named twice sees the first one's write); a guard or outbox key of
 * another type answers 'corrupt' (pcall: the batch goes on; the outbox entry is written first,
 * so a step is never consumed without it). Returns one reply per key: {'ok', drift} |
 * {'locked', lockedUntil, failures} | {'replayed', lastStep} | {'corrupt'} (nothing written for
 * that key).
 */
export const GUARD_CONSUME = script(
  'guard.consume',
  `${GUARD_DECIDE}
local out = {}
for i = 1, #KEYS do
  local a = 7 * (i - 1)
  local key, now, step, akey = KEYS[i], ARGV[a + 1], ARGV[a + 2], ARGV[a + 6]
  local verdict, g, forgotten, exp = decide(key, now, step, ARGV[a + 4])
  if verdict == 'accept' and akey ~= '' and type(redis.pcall('HSETNX', ARGV[a + 5], akey, ARGV[a + 7])) == 'table' then
    verdict = 'corrupt'
  end
  if verdict == 'accept' then
    out[i] = {'ok', accept(key, now, step, ARGV[a + 3], g, forgotten, exp)}
  else
    out[i] = refusal(verdict, g)
  end
end
return out
`,
);

/**
 * A batch of consumes whose audit entry goes straight into this store's audit streams
 * (docs/storage-redis.md 3.3: only with `singleServer: true`, every key on one Redis server,
 * where the streams need not share the guard's slot). KEYS: guard 1..n. ARGV per key, in the
 * same order: now, step, drift ('' = keep), unlockThrough ('' = none), then the entry's append
 * as AUDIT_APPEND takes it after `now`: kind, enrolmentId, userId ('' = none), detail, minId
 * ('' = no trim), the marker key of the entry's key, its lifetime ('' = none), the enrolment
 * stream, the user stream ('' = none); last the all stream. Decided as GUARD_CONSUME; an
 * acceptance appends the entry exactly as AUDIT_APPEND would (a key the log holds is not
 * written again: its event's id is answered) and writes the guard only after the entry is in:
 * all reads (guard, marker, stream tops) come before the first write, and an XADD Redis
 * refuses undoes the entry's other XADDs (AUDIT_PLAN), so a key of another type or a refused
 * XADD answers 'corrupt' with nothing written for that key, and the batch goes on. Returns one
 * reply per key: {'ok', drift, id, known ('0'|'1')} | the refusals of GUARD_CONSUME.
 */
export const GUARD_CONSUME_LOGGED = script(
  'guard.consumeLogged',
  `${GUARD_DECIDE}${AUDIT_PLAN}
local out = {}
for i = 1, #KEYS do
  local a = 14 * (i - 1)
  local key, now, step = KEYS[i], ARGV[a + 1], ARGV[a + 2]
  local verdict, g, forgotten, exp = decide(key, now, step, ARGV[a + 4])
  local id, known
  if verdict == 'accept' then
    local p = plan(tonumber(now), ARGV[a + 10], ARGV[a + 14], ARGV[a + 12], ARGV[a + 13])
    if p.corrupt then
      verdict = 'corrupt'
    elseif p.known then
      id, known = p.known, '1'
    else
      id, known = commit(p, ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8], ARGV[a + 9], ARGV[a + 10], ARGV[a + 11]), '0'
      if not id then verdict = 'corrupt' end
    end
  end
  if verdict == 'accept' then
    -- The entry is in the log: only now the guard (its type checked by decide: cannot fail).
    out[i] = {'ok', accept(key, now, step, ARGV[a + 3], g, forgotten, exp), id, known}
  else
    out[i] = refusal(verdict, g)
  end
end
return out
`,
);

/**
 * A batch of counts, `recordFailure` and `attempt` alike: one script, so the two count exactly
 * alike. KEYS: guard 1..n (one slot). ARGV per key, in the same order: now, freeFailures,
 * baseDelayMs, maxDelayMs, lockoutFailures, lockoutMs, forgetAfterMs ('' = never), mode
 * ('attempt': a guard locked at `now` refuses and nothing is written; '' = recordFailure).
 * A forgotten guard ('e' <= now) reads as absent (never locked): it is deleted and counts from
 * zero; a guard without a last step counted with forgetAfterMs gets 'e' and a matching TTL, so
 * Redis removes it (docs/storage-redis.md 4), and a count without forgetAfterMs clears both.
 * The delay curve is `throttleDelay` of @cloudmfa/storage (a test compares the two). Each
 * count is decided and applied in turn, exactly as if it ran alone (a key named twice sees the
 * first one's write). Returns one reply per key: {'ok', lastStep, failures, lockedUntil,
 * drift, lastUsedAt} | {'locked', lockedUntil, failures} (attempt only) | {'corrupt'} (nothing
 * written for that key).
 */
export const GUARD_COUNT = script(
  'guard.count',
  `${GUARD_NUM}
local function count(key, a)
  local now = tonumber(ARGV[a + 1])
  local g = redis.pcall('HMGET', key, 'l', 'f', 'k', 'd', 't', 'e')
  if g.err then return {'corrupt'} end
  local exp = num(g[6])
  if exp == nil or not now then return {'corrupt'} end
  local forgotten = exp and now >= exp
  if forgotten then g = {false, false, false, false, false} end
  local f, lock = num(g[2]), num(g[3])
  if f == nil or lock == nil then return {'corrupt'} end
  if ARGV[a + 8] == 'attempt' and lock and now < lock then return {'locked', g[3], g[2] or '0'} end
  if forgotten then redis.call('DEL', key) end
  f = (f or 0) + 1
  local free, base, maxd = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local lockf, lockms, forget = tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6]), ARGV[a + 7]
  local delay = 0
  if f >= lockf then
    delay = lockms
  elseif f > free then
    local e = f - free - 1
    if e > 52 then e = 52 end
    delay = base * (2 ^ e)
    if delay > maxd then delay = maxd end
  end
  local k = g[3] or ''
  if delay > 0 then
    local candidate = now + delay
    if not lock or lock < candidate then k = string.format('%.0f', candidate) end
  end
  local fs = string.format('%.0f', f)
  redis.call('HSET', key, 'f', fs, 'k', k)
  local noStep = (not g[1]) or g[1] == ''
  if forget ~= '' and noStep then
    local upto = tonumber(k) or 0
    if upto < now then upto = now end
    local e = upto + tonumber(forget)
    redis.call('HSET', key, 'e', string.format('%.0f', e))
    redis.call('PEXPIRE', key, string.format('%.0f', e - now))
  elseif exp and not forgotten then
    redis.call('HDEL', key, 'e')
    redis.call('PERSIST', key)
  end
  return {'ok', g[1] or '', fs, k, g[4] or '', g[5] or ''}
end
local out = {}
for i = 1, #KEYS do out[i] = count(KEYS[i], 8 * (i - 1)) end
return out
`,
);

/** KEYS: guard. ARGV: now. Clears failures and the lock when the guard exists and is not forgotten. Returns 1. */
export const GUARD_RESET = script(
  'guard.reset',
  `
local e = tonumber(redis.call('HGET', KEYS[1], 'e') or '')
if e and tonumber(ARGV[1]) >= e then
  redis.call('DEL', KEYS[1])
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'f', '0', 'k', '')
end
return 1
`,
);

/**
 * KEYS: owner pointer. ARGV: enrolmentId, ttlMs.
 * Returns 1 when the pointer is (now) this enrolment's, 0 when another enrolment owns the id.
 */
export const CHALLENGE_CLAIM = script(
  'challenge.claim',
  `
local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then return 1 end
return 0
`,
);

/**
 * KEYS: challenge, pending index. ARGV: challengeId, enrolmentId, userId, now, expiresAt,
 * meta, ttlMs. Returns 1 when created, 0 when the challenge exists.
 */
export const CHALLENGE_CREATE = script(
  'challenge.create',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'tomb') == '1' then return 2 end
  return 0
end
redis.call('HSET', KEYS[1], 'e', ARGV[2], 'u', ARGV[3], 's', 'pending', 'c', ARGV[4], 'x', ARGV[5],
  'z', '', 'm', ARGV[6], 'o', '')
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < tonumber(ARGV[7]) then redis.call('PEXPIRE', KEYS[2], ARGV[7]) end
return 1
`,
);

/**
 * KEYS: challenge, pending index. ARGV: now, status, outcome ('' = null), challengeId.
 * Returns { reason [, record] }: ok | not_found | already_final | expired | corrupt.
 */
export const CHALLENGE_FINALIZE = script(
  'challenge.finalize',
  `
local s = redis.call('HMGET', KEYS[1], 's', 'x')
if not s[1] then return {'not_found'} end
if s[1] ~= 'pending' then return {'already_final', redis.call('HGETALL', KEYS[1])} end
local x = tonumber(s[2])
if not x then return {'corrupt'} end
if tonumber(ARGV[1]) >= x then return {'expired', redis.call('HGETALL', KEYS[1])} end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'z', ARGV[1], 'o', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[4])
return {'ok', redis.call('HGETALL', KEYS[1])}
`,
);

/**
 * KEYS: pending index. ARGV: now, limit, challenge key prefix, maxScan.
 * Walks the index newest first (createdAt desc, then id desc: ZRANGE REV orders equal scores
 * by member desc) and returns { id1, record1, id2, record2, ... } of pending, unexpired
 * challenges, at most `limit`. Entries whose record is final or gone leave the index;
 * expired-by-clock ones are skipped but kept (another server's clock may be behind).
 */
export const CHALLENGE_LIST_PENDING = script(
  'challenge.listPending',
  `
local now, limit, maxScan = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local out, drop = {}, {}
local found, scanned, start = 0, 0, 0
while found < limit and scanned < maxScan do
  local n = limit - found + 16
  if n > maxScan - scanned then n = maxScan - scanned end
  local ids = redis.call('ZRANGE', KEYS[1], start, start + n - 1, 'REV')
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    scanned = scanned + 1
    local h = redis.call('HGETALL', ARGV[3] .. id)
    if #h == 0 then
      drop[#drop + 1] = id
    else
      local s, x
      for i = 1, #h, 2 do
        if h[i] == 's' then s = h[i + 1] elseif h[i] == 'x' then x = tonumber(h[i + 1]) end
      end
      if s ~= 'pending' then
        drop[#drop + 1] = id
      elseif x and now < x then
        out[#out + 1] = id
        out[#out + 1] = h
        found = found + 1
        if found >= limit then break end
      end
    end
  end
  if #ids < n then break end
  start = start + #ids
end
for i = 1, #drop, 500 do
  redis.call('ZREM', KEYS[1], unpack(drop, i, math.min(i + 499, #drop)))
end
return out
`,
);

/**
 * A batch of appends. KEYS: the 'all' stream, once per event (all in the {audit} slot). ARGV
 * per event, in the same order: now, kind, enrolmentId ('' = none), userId ('' = none), detail,
 * minId ('' = no trim; else exact MINID trimming: each append removes the events it has made
 * too old), the marker key of the event's idempotency key ('' = none; in the {audit} slot), its
 * lifetime in ms ('' = none), the enrolment stream and the user stream of the event ('' =
 * none; both in the {audit} slot). Each event is appended in turn, exactly as if it ran alone
 * (AUDIT_PLAN). Returns one {id, known (0|1)} | {'corrupt'} per event ('corrupt': a key of
 * another type, or an XADD Redis refused; nothing of that event written, the batch goes on).
 */
export const AUDIT_APPEND = script(
  'audit.append',
  `${AUDIT_PLAN}
local out = {}
for i = 1, #KEYS do
  local a = 10 * (i - 1)
  local p = plan(tonumber(ARGV[a + 1]), ARGV[a + 7], KEYS[i], ARGV[a + 9], ARGV[a + 10])
  if p.corrupt then
    out[i] = {'corrupt'}
  elseif p.known then
    out[i] = {p.known, 1}
  else
    local id = commit(p, ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8])
    if id then out[i] = {id, 0} else out[i] = {'corrupt'} end
  end
end
return out
`,
);

/**
 * KEYS: one audit stream. ARGV: end id (XREVRANGE syntax: '+', '(<ms>-<seq>'), start id
 * ('-' or '<ms>-0'), limit, userId filter ('' = none), maxScan.
 * Returns { entries, lastScannedId, more }: up to limit + 1 matching entries newest first;
 * when the scan budget stops it first, lastScannedId is where to resume and more is 1.
 */
export const AUDIT_QUERY = script(
  'audit.query',
  `
local want, maxScan = tonumber(ARGV[3]) + 1, tonumber(ARGV[5])
local user = ARGV[4]
local out, hi, scanned, last, more = {}, ARGV[1], 0, '', 0
while #out < want do
  if scanned >= maxScan then more = 1; break end
  local n = want - #out
  if user ~= '' then n = n + 64 end
  if n > maxScan - scanned then n = maxScan - scanned end
  local es = redis.call('XREVRANGE', KEYS[1], hi, ARGV[2], 'COUNT', n)
  for _, e in ipairs(es) do
    scanned = scanned + 1
    last = e[1]
    local keep = true
    if user ~= '' then
      keep = false
      local f = e[2]
      for i = 1, #f, 2 do
        if f[i] == 'u' then keep = (f[i + 1] == user); break end
      end
    end
    if keep then
      out[#out + 1] = e
      if #out >= want then break end
    end
  end
  if #es < n then break end
  hi = '(' .. last
end
return {out, last, more}
`,
);

/**
 * The user half of `challenges.create` (the user's slot). KEYS: pause, user pending index.
 * ARGV: now, maxPending ('' = no cap), member (`<enrolmentId>/<challengeId>`), expiresAt, ttl.
 * Returns {'ok'} | {'paused', pausedUntil} | {'too_many_pending', pending}.
 */
export const USER_OPEN = script(
  'challenge.userOpen',
  `
local now = tonumber(ARGV[1])
local p = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if now < p then return {'paused', string.format('%.0f', p)} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if ARGV[2] ~= '' then
  local n = redis.call('ZCARD', KEYS[2])
  if n >= tonumber(ARGV[2]) then return {'too_many_pending', tostring(n)} end
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
return {'ok'}
`,
);

/**
 * The user half of `challenges.pauseUser` (the user's slot). KEYS: pause, user pending index.
 * ARGV: now, until. Sets the pause to the later of both, takes (and empties) the user's
 * pending index: every challenge registered before this point is cancelled by the caller;
 * every later USER_OPEN is refused. Returns {pausedUntil, {member, expiresAt, ...}}.
 */
export const USER_PAUSE = script(
  'challenge.userPause',
  `
local now = tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local u = math.max(cur, tonumber(ARGV[2]))
if u > now then
  redis.call('SET', KEYS[1], string.format('%.0f', u), 'PX', string.format('%.0f', u - now))
end
local members = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'WITHSCORES')
redis.call('DEL', KEYS[2])
return {string.format('%.0f', u), members}
`,
);

/**
 * Cancels one challenge for a pause (the enrolment's slot). KEYS: challenge, pending index.
 * ARGV: now, outcome, challengeId, enrolmentId, userId, ttl. A challenge not written yet (its
 * create is between its two halves) gets a tombstone, so that create refuses it.
 * Returns 1 when a pending challenge was cancelled, else 0.
 */
export const CHALLENGE_CANCEL = script(
  'challenge.cancelForPause',
  `
local s = redis.call('HMGET', KEYS[1], 's', 'x')
if not s[1] then
  redis.call('HSET', KEYS[1], 'e', ARGV[4], 'u', ARGV[5], 's', 'cancelled', 'c', ARGV[1], 'x', ARGV[1],
    'z', ARGV[1], 'm', '{}', 'o', ARGV[2], 'tomb', '1')
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  return 0
end
if s[1] ~= 'pending' then return 0 end
local x = tonumber(s[2])
if not x or tonumber(ARGV[1]) >= x then return 0 end
redis.call('HSET', KEYS[1], 's', 'cancelled', 'z', ARGV[1], 'o', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
return 1
`,
);

/**
 * Organisation create. KEYS: record, id index. ARGV: id, issuer, origin ('' with hasOrigin
 * '0'), hasOrigin, policy, now. Returns 0 when the id exists (nothing written), else the record.
 */
export const ORGANISATION_CREATE = script(
  'organisation_create',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'i', ARGV[2], 'o', ARGV[3], 'ho', ARGV[4], 'p', ARGV[5], 'c', ARGV[6], 'u', ARGV[6], 'v', '1')
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return redis.call('HGETALL', KEYS[1])
`,
);

/**
 * Organisation update (compare-and-set). KEYS: record. ARGV: now, expectedVersion ('' for
 * none), then field/value pairs to set. Returns 'not_found', 'version_mismatch' or the record.
 */
export const ORGANISATION_UPDATE = script(
  'organisation_update',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'not_found' end
local v = tonumber(redis.call('HGET', KEYS[1], 'v'))
if v == nil then return 'corrupt' end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= v then return 'version_mismatch' end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'v', string.format('%.0f', v + 1))
return redis.call('HGETALL', KEYS[1])
`,
);
