-- guard.attempt, consume's direct audit path and group commit across organisations
-- (docs/storage.md section 5, docs/storage-postgres.md section 3). Only functions: no table
-- changes, and nothing of migrations 1..7 is dropped (a server not yet restarted keeps
-- calling them).

-- The throttle curve of docs/storage.md section 5 (throttleDelay) for the failure count p_f.
-- numeric arithmetic is exact here: base * 2^k is exact in a double too, and LEAST bounds the
-- result by p_max before the cast. Pure arithmetic on pg_catalog functions, no table, no
-- search_path setting: PostgreSQL inlines it into the statements that call it.
CREATE FUNCTION cloudmfa_throttle_delay(p_f bigint, p_free bigint, p_base bigint, p_max bigint, p_lockout_failures bigint, p_lockout_ms bigint)
  RETURNS bigint
  LANGUAGE sql
  IMMUTABLE
AS $$
  SELECT CASE
    WHEN p_f >= p_lockout_failures THEN p_lockout_ms
    WHEN p_f > p_free THEN LEAST(p_max::numeric, p_base::numeric * power(2::numeric, LEAST(p_f - p_free - 1, 52)))::bigint
    ELSE 0::bigint
  END
$$;

-- The lock after the p_f-th failure counted at p_now over a lock p_locked_until (NULL: none):
-- max(lockedUntil, now + throttleDelay(policy, f)) when that delay is > 0, else unchanged.
CREATE FUNCTION cloudmfa_throttle_lock(p_locked_until bigint, p_f bigint, p_now bigint, p_free bigint, p_base bigint, p_max bigint,
                                       p_lockout_failures bigint, p_lockout_ms bigint)
  RETURNS bigint
  LANGUAGE sql
  IMMUTABLE
AS $$
  SELECT CASE
    WHEN cloudmfa_throttle_delay(p_f, p_free, p_base, p_max, p_lockout_failures, p_lockout_ms) > 0
      THEN GREATEST(COALESCE(p_locked_until, 0), p_now + cloudmfa_throttle_delay(p_f, p_free, p_base, p_max, p_lockout_failures, p_lockout_ms))
    ELSE p_locked_until
  END
$$;

-- The batches' argument check: every array as long as the first (NULL counts as empty), else
-- invalid_parameter_value naming the function. Returns that length.
CREATE FUNCTION cloudmfa_batch_length(p_what text, VARIADIC p_lengths integer[])
  RETURNS integer
  LANGUAGE plpgsql
  IMMUTABLE
AS $$
DECLARE
  n integer := coalesce(p_lengths[1], 0);
BEGIN
  FOR i IN 2 .. array_length(p_lengths, 1) LOOP
    IF coalesce(p_lengths[i], 0) <> n THEN
      RAISE EXCEPTION '%: arrays of different lengths', p_what USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END LOOP;
  RETURN n;
END
$$;

-- The follow locks of the organisations p_orgs (duplicates allowed), SHARED, in ascending key
-- order: what every batch that appends takes first (docs/storage-postgres.md). The key is
-- cloudmfa_audit_follow_key (migration 7) written out: that SQL function has SET search_path,
-- so it is parsed and planned on every call; here the expression is planned once per session
-- (directAudit.test.ts: a follower's lock, taken through the function, holds the batch).
CREATE FUNCTION cloudmfa_audit_follow_lock_shared(p_orgs text[])
  RETURNS void
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  k bigint;
BEGIN
  FOR k IN SELECT hashtextextended(d.o, 'cloudmfa_audit'::regclass::oid::bigint) AS fk
           FROM (SELECT DISTINCT x.o FROM unnest(p_orgs) AS x(o)) AS d ORDER BY fk LOOP
    PERFORM pg_advisory_xact_lock_shared(k);
  END LOOP;
END
$$;

-- The batches' segments: runs of consecutive elements in which no (organisation, id) repeats,
-- each decided by set-based statements (one lock statement, one update), the segments in
-- array order, so that duplicates behave as sequential calls. A new segment starts where an
-- element repeats the one before it (the adapter sorts its batches, so its duplicates are
-- adjacent); if a segment would still hold a key twice, every element is its own segment.
CREATE FUNCTION cloudmfa_batch_segments(p_orgs text[], p_ids text[])
  RETURNS integer[]
  LANGUAGE plpgsql
  IMMUTABLE
AS $$
DECLARE
  v integer[];
  v_dup boolean;
BEGIN
  SELECT array_agg(s.seg ORDER BY s.idx), count(*) > count(DISTINCT (s.seg, s.o, s.id))
  INTO v, v_dup
  FROM (SELECT a.idx, a.o, a.id, (1 + count(*) FILTER (WHERE a.adj) OVER (ORDER BY a.idx))::integer AS seg
        FROM (SELECT u.idx, u.o, u.id, (u.o = lag(u.o) OVER w AND u.id = lag(u.id) OVER w) AS adj
              FROM unnest(p_orgs, p_ids) WITH ORDINALITY AS u(o, id, idx) WINDOW w AS (ORDER BY u.idx)) AS a) AS s;
  IF v_dup THEN
    SELECT array_agg(i::integer ORDER BY i) INTO v FROM generate_series(1, cardinality(p_ids)) AS i;
  END IF;
  RETURN v;
END
$$;

-- A batch statement met a key that a concurrent transaction committed after the statement's
-- snapshot was taken (its insert waited for that transaction): raised as a serialization
-- failure, so the whole batch rolls back and the adapter runs it again (docs/storage-postgres.md
-- section 3), when the key is in the snapshot.
CREATE FUNCTION cloudmfa_batch_retry(p_what text)
  RETURNS bigint
  LANGUAGE plpgsql
  VOLATILE
AS $$
BEGIN
  RAISE EXCEPTION '%: a concurrent transaction committed a key of this batch; run it again', p_what
    USING ERRCODE = 'serialization_failure';
END
$$;

-- One failure count per element, set-based, segment by segment
-- (cloudmfa_batch_segments): per segment,
--   1. one INSERT ... SELECT ... ORDER BY index ... ON CONFLICT DO UPDATE ... WHERE false
--      locks every element's guard row in array order (ON CONFLICT locks the conflicting row
--      even when the WHERE is false), inserting a guard that does not exist as the empty row
--      (no step, no failure, no lock, never forgotten), which the update then counts exactly
--      as the per-element insert would have written it;
--   2. one UPDATE ... FROM the segment counts every element whose count is allowed (a forgotten
--      guard, expires_at <= now, counts from zero); the rows it refused are read in the same
--      statement, whose snapshot was taken after step 1 locked them, so the state that refused
--      them (nothing written);
-- then the rows in array order, then one purge of forgotten guards, after every count: up to 8
-- per count that wrote, forgotten at the earliest of those counts' times (so never a row this
-- batch just counted), FOR UPDATE SKIP LOCKED, so a purge never waits and no lock wait follows
-- it (a purge between counts could close a lock cycle with another batch).
CREATE FUNCTION cloudmfa_otp_count_batch(p_orgs text[], p_ids text[], p_nows bigint[], p_free bigint[], p_base bigint[], p_max bigint[],
                                                    p_lockout_failures bigint[], p_lockout_ms bigint[], p_forget bigint[], p_if_unlocked boolean[])
  RETURNS TABLE (r_index integer, r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  n integer := cloudmfa_batch_length('cloudmfa_otp_count_batch',
    array_length(p_ids, 1), array_length(p_orgs, 1), array_length(p_nows, 1), array_length(p_free, 1),
    array_length(p_base, 1), array_length(p_max, 1), array_length(p_lockout_failures, 1),
    array_length(p_lockout_ms, 1), array_length(p_forget, 1), array_length(p_if_unlocked, 1));
  v_seg integer[];
  v_idx integer[]; v_out text[]; v_ls bigint[]; v_f bigint[]; v_lu bigint[]; v_d integer[]; v_lua bigint[];
  a_idx integer[]; a_out text[]; a_ls bigint[]; a_f bigint[]; a_lu bigint[]; a_d integer[]; a_lua bigint[];
  v_ok bigint;
  v_min bigint;
  v_purge bigint := 0;
  v_purge_now bigint;
  v_purge_rows tid[];
BEGIN
  IF n = 0 THEN
    RETURN;
  END IF;
  v_seg := cloudmfa_batch_segments(p_orgs, p_ids);
  FOR s IN 1 .. v_seg[n] LOOP
    INSERT INTO cloudmfa_otp_guard AS g (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
    SELECT u.o, u.id, NULL, 0, NULL, NULL, NULL, NULL
    FROM unnest(p_orgs, p_ids, v_seg) WITH ORDINALITY AS u(o, id, seg, idx) WHERE u.seg = s ORDER BY u.idx
    ON CONFLICT (org, enrolment_id) DO UPDATE SET failures = g.failures WHERE false;

    WITH x AS MATERIALIZED (
      SELECT u.o, u.id, u.now, u.free, u.base, u.mx, u.lf, u.lms, u.forget, u.if_unlocked, u.idx::integer AS idx
      FROM unnest(p_orgs, p_ids, p_nows, p_free, p_base, p_max, p_lockout_failures, p_lockout_ms, p_forget, p_if_unlocked, v_seg)
        WITH ORDINALITY AS u(o, id, now, free, base, mx, lf, lms, forget, if_unlocked, seg, idx)
      WHERE u.seg = s),
    c AS (
      UPDATE cloudmfa_otp_guard AS g
      SET last_step = CASE WHEN g.expires_at <= x.now THEN NULL ELSE g.last_step END,
          failures = CASE WHEN g.expires_at <= x.now THEN 1 ELSE g.failures + 1 END,
          locked_until = CASE WHEN g.expires_at <= x.now THEN cloudmfa_throttle_lock(NULL, 1, x.now, x.free, x.base, x.mx, x.lf, x.lms)
            ELSE cloudmfa_throttle_lock(g.locked_until, g.failures + 1, x.now, x.free, x.base, x.mx, x.lf, x.lms) END,
          drift = CASE WHEN g.expires_at <= x.now THEN NULL ELSE g.drift END,
          last_used_at = CASE WHEN g.expires_at <= x.now THEN NULL ELSE g.last_used_at END,
          expires_at = CASE
            WHEN g.expires_at <= x.now
              THEN GREATEST(x.now, COALESCE(cloudmfa_throttle_lock(NULL, 1, x.now, x.free, x.base, x.mx, x.lf, x.lms), 0)) + x.forget
            WHEN x.forget IS NULL OR g.last_step IS NOT NULL THEN NULL
            ELSE GREATEST(x.now, COALESCE(cloudmfa_throttle_lock(g.locked_until, g.failures + 1, x.now, x.free, x.base, x.mx, x.lf, x.lms), 0))
              + x.forget END
      FROM x
      WHERE g.org = x.o AND g.enrolment_id = x.id
        AND (g.expires_at <= x.now OR NOT x.if_unlocked OR g.locked_until IS NULL OR g.locked_until <= x.now)
      RETURNING x.idx, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at)
    SELECT array_agg(r.idx), array_agg(r.outcome), array_agg(r.last_step), array_agg(r.failures), array_agg(r.locked_until),
           array_agg(r.drift), array_agg(r.last_used_at), count(*) FILTER (WHERE r.outcome = 'ok'),
           min(r.now) FILTER (WHERE r.outcome = 'ok')
    INTO v_idx, v_out, v_ls, v_f, v_lu, v_d, v_lua, v_ok, v_min
    FROM (SELECT x.idx, x.now, CASE WHEN c.idx IS NULL THEN 'locked' ELSE 'ok' END AS outcome,
                 CASE WHEN c.idx IS NULL THEN g.last_step ELSE c.last_step END AS last_step,
                 CASE WHEN c.idx IS NULL THEN g.failures ELSE c.failures END AS failures,
                 CASE WHEN c.idx IS NULL THEN g.locked_until ELSE c.locked_until END AS locked_until,
                 CASE WHEN c.idx IS NULL THEN g.drift ELSE c.drift END AS drift,
                 CASE WHEN c.idx IS NULL THEN g.last_used_at ELSE c.last_used_at END AS last_used_at
          FROM x
          LEFT JOIN c ON c.idx = x.idx
          LEFT JOIN LATERAL (SELECT g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
                             FROM cloudmfa_otp_guard AS g
                             WHERE c.idx IS NULL AND g.org = x.o AND g.enrolment_id = x.id OFFSET 0) AS g ON true
          ORDER BY x.idx) AS r;
    a_idx := a_idx || v_idx; a_out := a_out || v_out; a_ls := a_ls || v_ls; a_f := a_f || v_f;
    a_lu := a_lu || v_lu; a_d := a_d || v_d; a_lua := a_lua || v_lua;
    IF v_ok > 0 THEN
      v_purge := v_purge + 8 * v_ok;
      v_purge_now := LEAST(v_purge_now, v_min);
    END IF;
  END LOOP;
  RETURN QUERY SELECT * FROM unnest(a_idx, a_out, a_ls, a_f, a_lu, a_d, a_lua);
  -- The partial index on expires_at (IS NOT NULL ... ORDER BY expires_at), also in the generic
  -- plan. Two statements: the rows are chosen and locked, then deleted by their ctids (a Tid
  -- Scan, stable while this transaction holds their locks). One DELETE ... WHERE (org,
  -- enrolment_id) IN (that select) is planned, generic, for an unknown LIMIT of thousands of
  -- rows, and hash-joins them against a scan of the whole guard table (test/plans.test.ts);
  -- and the DELETE's own snapshot, taken after the locks, sees the version each lock took.
  IF v_purge > 0 THEN
    v_purge_rows := ARRAY(
      SELECT g.ctid FROM cloudmfa_otp_guard AS g
      WHERE g.expires_at IS NOT NULL AND g.expires_at <= v_purge_now
      ORDER BY g.expires_at LIMIT v_purge
      FOR UPDATE SKIP LOCKED);
    DELETE FROM cloudmfa_otp_guard WHERE ctid = ANY (v_purge_rows);
  END IF;
END
$$;

-- One keyed or unkeyed append of the organisation's audit log, shared by audit.append and by
-- the direct path of consume: the organisation's follow lock SHARED before the seq is taken,
-- held to commit (migration 7), then the row; a key the log already holds writes nothing and
-- answers the stored event (docs/storage.md 5.3). The follow lock is re-entrant: a batch that
-- took it already does not wait again.
CREATE FUNCTION cloudmfa_audit_append_org(p_org text, p_at bigint, p_kind text, p_enrolment_id text, p_user_id text, p_detail json, p_key text)
  RETURNS TABLE (r_seq bigint, r_at bigint, r_kind text, r_enrolment_id text, r_user_id text, r_detail json)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(cloudmfa_audit_follow_key(p_org));
  RETURN QUERY
  INSERT INTO cloudmfa_audit AS a (org, at, kind, enrolment_id, user_id, detail, entry_key)
  VALUES (p_org, p_at, p_kind, p_enrolment_id, p_user_id, p_detail, p_key)
  ON CONFLICT (org, entry_key) DO NOTHING
  RETURNING a.seq, a.at, a.kind, a.enrolment_id, a.user_id, a.detail;
  IF NOT FOUND THEN
    -- A new statement, so a new snapshot: the holder of the key has committed (the insert
    -- waited for it).
    RETURN QUERY
    SELECT a.seq, a.at, a.kind, a.enrolment_id, a.user_id, a.detail FROM cloudmfa_audit AS a
    WHERE a.org = p_org AND a.entry_key = p_key;
  END IF;
END
$$;

-- cloudmfa_otp_consume_org (migration 5) for every element, then, with p_logs[i] and the step
-- accepted, cloudmfa_audit_append_org (above) without its lock: the follow locks of every
-- organisation logged to are taken first, SHARED, in ascending key order, before any guard row
-- is locked, and held to commit. Set-based, segment by segment (cloudmfa_batch_segments), as
-- cloudmfa_otp_count_batch: one statement locks the segment's guard rows in array order
-- (inserting a missing guard as the empty row, which the consume then accepts exactly as the
-- per-element insert would have written it), one statement consumes, appends and answers:
--   * the UPDATE accepts every element whose step is accepted (a forgotten guard is replaced,
--     its drift not kept); the rows it refused are read in the same statement, whose snapshot
--     was taken after they were locked, so the state that refused them;
--   * the accepted elements with p_logs[i] go to the log, in array order, ON CONFLICT (org,
--     entry_key) DO NOTHING; a key the log holds answers the stored event: one inserted by an
--     earlier element of the statement, or one in the statement's snapshot; a key committed by
--     a concurrent transaction after the snapshot was taken (the insert waited for it) raises
--     a serialization failure (cloudmfa_batch_retry): the batch rolls back and runs again;
--   * the other accepted elements with a key go to the outbox, ON CONFLICT DO NOTHING.
CREATE FUNCTION cloudmfa_otp_consume_log_batch(p_orgs text[], p_ids text[], p_steps bigint[], p_drifts integer[], p_nows bigint[],
                                                          p_unlocks bigint[], p_keys text[], p_kinds text[], p_user_ids text[], p_details json[],
                                                          p_logs boolean[])
  RETURNS TABLE (r_index integer, r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint,
                 r_a_seq bigint, r_a_at bigint, r_a_kind text, r_a_enrolment_id text, r_a_user_id text, r_a_detail json)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  n integer := cloudmfa_batch_length('cloudmfa_otp_consume_log_batch',
    array_length(p_ids, 1), array_length(p_orgs, 1), array_length(p_steps, 1),
    array_length(p_drifts, 1), array_length(p_nows, 1), array_length(p_unlocks, 1),
    array_length(p_keys, 1), array_length(p_kinds, 1), array_length(p_user_ids, 1),
    array_length(p_details, 1), array_length(p_logs, 1));
  v_seg integer[];
BEGIN
  IF n = 0 THEN
    RETURN;
  END IF;
  PERFORM cloudmfa_audit_follow_lock_shared(ARRAY(SELECT x.o FROM unnest(p_orgs, p_logs) AS x(o, l) WHERE x.l));
  v_seg := cloudmfa_batch_segments(p_orgs, p_ids);
  FOR s IN 1 .. v_seg[n] LOOP
    INSERT INTO cloudmfa_otp_guard AS g (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
    SELECT u.o, u.id, NULL, 0, NULL, NULL, NULL, NULL
    FROM unnest(p_orgs, p_ids, v_seg) WITH ORDINALITY AS u(o, id, seg, idx) WHERE u.seg = s ORDER BY u.idx
    ON CONFLICT (org, enrolment_id) DO UPDATE SET failures = g.failures WHERE false;

    RETURN QUERY
    WITH x AS MATERIALIZED (
      SELECT u.o, u.id, u.step, u.drift, u.now, u.unlock, u.key, u.kind, u.user_id, u.detail, u.log, u.idx::integer AS idx
      FROM unnest(p_orgs, p_ids, p_steps, p_drifts, p_nows, p_unlocks, p_keys, p_kinds, p_user_ids, p_details, p_logs, v_seg)
        WITH ORDINALITY AS u(o, id, step, drift, now, unlock, key, kind, user_id, detail, log, seg, idx)
      WHERE u.seg = s),
    c AS (
      UPDATE cloudmfa_otp_guard AS g
      SET last_step = x.step,
          failures = 0,
          locked_until = NULL,
          drift = CASE WHEN g.expires_at <= x.now THEN x.drift ELSE COALESCE(x.drift, g.drift) END,
          last_used_at = x.now,
          expires_at = NULL
      FROM x
      WHERE g.org = x.o AND g.enrolment_id = x.id
        AND (g.expires_at <= x.now
             OR ((g.locked_until IS NULL OR g.locked_until <= x.now OR (x.unlock IS NOT NULL AND g.locked_until <= x.unlock))
                 AND (g.last_step IS NULL OR g.last_step < x.step)))
      RETURNING x.idx, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at,
                x.o, x.id, x.now, x.kind, x.user_id, x.detail, x.key, x.log),
    a AS (
      INSERT INTO cloudmfa_audit AS a (org, at, kind, enrolment_id, user_id, detail, entry_key)
      SELECT c.o, c.now, c.kind, c.id, c.user_id, c.detail, c.key FROM c WHERE c.log ORDER BY c.idx
      ON CONFLICT (org, entry_key) DO NOTHING
      RETURNING a.seq, a.org, a.at, a.kind, a.enrolment_id, a.user_id, a.detail, a.entry_key),
    o AS (
      INSERT INTO cloudmfa_audit_outbox (org, entry_key, at, kind, enrolment_id, user_id, detail)
      SELECT c.o, c.key, c.now, c.kind, c.id, c.user_id, c.detail FROM c
      WHERE NOT c.log AND c.key IS NOT NULL ORDER BY c.idx
      ON CONFLICT (org, entry_key) DO NOTHING)
    SELECT x.idx,
           CASE WHEN c.idx IS NOT NULL THEN 'ok'
                WHEN g.locked_until IS NOT NULL AND x.now < g.locked_until AND (x.unlock IS NULL OR g.locked_until > x.unlock) THEN 'locked'
                WHEN g.last_step IS NOT NULL AND x.step <= g.last_step THEN 'replayed'
                ELSE 'inconsistent' END,
           CASE WHEN c.idx IS NULL THEN g.last_step ELSE c.last_step END,
           CASE WHEN c.idx IS NULL THEN g.failures ELSE c.failures END,
           CASE WHEN c.idx IS NULL THEN g.locked_until ELSE c.locked_until END,
           CASE WHEN c.idx IS NULL THEN g.drift ELSE c.drift END,
           CASE WHEN c.idx IS NULL THEN g.last_used_at ELSE c.last_used_at END,
           e.seq, e.at, e.kind, e.enrolment_id, e.user_id, e.detail
    FROM x
    LEFT JOIN c ON c.idx = x.idx
    LEFT JOIN LATERAL (SELECT g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
                       FROM cloudmfa_otp_guard AS g
                       WHERE c.idx IS NULL AND g.org = x.o AND g.enrolment_id = x.id OFFSET 0) AS g ON true
    LEFT JOIN LATERAL (
      -- This element's row or an earlier element's of the same key (one statement: its own
      -- inserts are not in its snapshot, its CTE's rows are), else the stored event.
      (SELECT a.seq, a.at, a.kind, a.enrolment_id, a.user_id, a.detail FROM a
       WHERE c.idx IS NOT NULL AND x.log AND a.org = x.o
         AND (a.entry_key = x.key OR (x.key IS NULL AND a.entry_key IS NULL AND a.enrolment_id = x.id))
       ORDER BY a.seq LIMIT 1)
      UNION ALL
      SELECT l.seq, l.at, l.kind, l.enrolment_id, l.user_id, l.detail FROM cloudmfa_audit AS l
      WHERE c.idx IS NOT NULL AND x.log AND x.key IS NOT NULL AND l.org = x.o AND l.entry_key = x.key
      UNION ALL
      SELECT cloudmfa_batch_retry('cloudmfa_otp_consume_log_batch'), NULL, NULL, NULL, NULL, NULL
      WHERE c.idx IS NOT NULL AND x.log
      LIMIT 1) AS e ON true
    ORDER BY x.idx;
  END LOOP;
END
$$;

-- The audit log's append in groups (docs/storage-postgres.md section 3): the appends of one
-- event-loop turn, of any organisations, in one call, so one transaction and one WAL flush
-- instead of one each. A store whose guard is elsewhere (Redis, composeStore) moves every
-- accepted code's outbox entry with an append.
-- Element i answers what cloudmfa_audit_append_org (above) answers for it, called in array
-- order: a key the log holds answers the stored event, a second element with the same key
-- included (batchInline.test.ts compares them). Set-based:
--   * one INSERT writes every element in array order, ON CONFLICT (org, entry_key) DO NOTHING,
--     its seq drawn by the column's default as each row is inserted (so in array order, and an
--     element whose key the log holds draws one and leaves a gap, as the per-element insert
--     does; the caller needs no right on the sequence); each inserted row is matched back to
--     its element: a keyed row to the first element of its (organisation, key), an unkeyed one
--     by rank (the n-th unkeyed row inserted, by seq, is the n-th unkeyed element);
--   * only when some element was not inserted (its key was held), a second statement, so a new
--     snapshot (the insert waited for a conflicting key's holder to commit), answers each such
--     element with the stored event; it runs as dynamic SQL, planned for the call's arguments,
--     so a plan cached while the log was small can never scan it whole.
-- The follow locks of every organisation in the call are taken first, SHARED, in ascending key
-- order, as cloudmfa_otp_consume_log_batch does: every holder of several follow locks takes
-- them in one order and a follower holds one only, so calls, consumes and followers cannot
-- close a cycle.
CREATE FUNCTION cloudmfa_audit_append_batch(p_orgs text[], p_ats bigint[], p_kinds text[], p_enrolment_ids text[], p_user_ids text[],
                                            p_details json[], p_keys text[])
  RETURNS TABLE (r_index integer, r_seq bigint, r_at bigint, r_kind text, r_enrolment_id text, r_user_id text, r_detail json)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
  SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  n integer := cloudmfa_batch_length('cloudmfa_audit_append_batch',
    array_length(p_orgs, 1), array_length(p_ats, 1), array_length(p_kinds, 1),
    array_length(p_enrolment_ids, 1), array_length(p_user_ids, 1), array_length(p_details, 1),
    array_length(p_keys, 1));
  v_idx integer[];
  v_seq bigint[];
  v_at bigint[];
  v_kind text[];
  v_eid text[];
  v_uid text[];
  v_detail json[];
BEGIN
  IF n = 0 THEN
    RETURN;
  END IF;
  PERFORM cloudmfa_audit_follow_lock_shared(p_orgs);
  WITH x AS MATERIALIZED (
    SELECT u.o, u.at, u.kind, u.eid, u.uid, u.detail, u.key, u.idx::integer AS idx
    FROM unnest(p_orgs, p_ats, p_kinds, p_enrolment_ids, p_user_ids, p_details, p_keys)
      WITH ORDINALITY AS u(o, at, kind, eid, uid, detail, key, idx)),
  a AS (
    INSERT INTO cloudmfa_audit AS a (org, at, kind, enrolment_id, user_id, detail, entry_key)
    SELECT x.o, x.at, x.kind, x.eid, x.uid, x.detail, x.key FROM x ORDER BY x.idx
    ON CONFLICT (org, entry_key) DO NOTHING
    RETURNING a.seq, a.org, a.at, a.kind, a.enrolment_id, a.user_id, a.detail, a.entry_key),
  first_of_key AS (
    SELECT DISTINCT ON (x.o, x.key) x.idx, x.o, x.key FROM x WHERE x.key IS NOT NULL ORDER BY x.o, x.key, x.idx),
  unkeyed_x AS (
    SELECT x.idx, row_number() OVER (ORDER BY x.idx) AS rn FROM x WHERE x.key IS NULL),
  unkeyed_a AS (
    SELECT a.*, row_number() OVER (ORDER BY a.seq) AS rn FROM a WHERE a.entry_key IS NULL),
  answered AS (
    SELECT f.idx, a.seq, a.at, a.kind, a.enrolment_id, a.user_id, a.detail
    FROM a JOIN first_of_key AS f ON f.o = a.org AND f.key = a.entry_key
    UNION ALL
    SELECT ux.idx, ua.seq, ua.at, ua.kind, ua.enrolment_id, ua.user_id, ua.detail
    FROM unkeyed_a AS ua JOIN unkeyed_x AS ux ON ux.rn = ua.rn)
  SELECT array_agg(w.idx ORDER BY w.idx), array_agg(w.seq ORDER BY w.idx), array_agg(w.at ORDER BY w.idx),
         array_agg(w.kind ORDER BY w.idx), array_agg(w.enrolment_id ORDER BY w.idx), array_agg(w.user_id ORDER BY w.idx),
         array_agg(w.detail ORDER BY w.idx)
  INTO v_idx, v_seq, v_at, v_kind, v_eid, v_uid, v_detail
  FROM answered AS w;
  RETURN QUERY SELECT * FROM unnest(v_idx, v_seq, v_at, v_kind, v_eid, v_uid, v_detail);
  IF coalesce(array_length(v_idx, 1), 0) < n THEN
    RETURN QUERY EXECUTE
      'SELECT u.idx::integer, l.seq, l.at, l.kind, l.enrolment_id, l.user_id, l.detail
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(o, key, idx)
       JOIN cloudmfa_audit AS l ON l.org = u.o AND l.entry_key = u.key
       WHERE u.key IS NOT NULL AND u.idx <> ALL ($3::bigint[])'
      USING p_orgs, p_keys, coalesce(v_idx, '{}'::integer[]);
  END IF;
END
$$;
