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

-- One failure count: recordFailure (p_if_unlocked false) and attempt (p_if_unlocked true: while
-- p_now < locked_until, nothing is written and the answer is 'locked' with the state that
-- refused it). A forgotten guard (expires_at <= p_now) is removed first and counts from zero
-- (docs/storage.md 5.2); a forgotten guard is never locked (its expiry is after its lock). The
-- expiry (p_forget, NULL: never) is recomputed from the new lock, and cleared on a guard that
-- accepted a step. After a count, up to 8 other forgotten guards go (FOR UPDATE SKIP LOCKED:
-- never waits), so a stream of new throttle keys cannot grow the table.
CREATE FUNCTION cloudmfa_otp_count_org(p_org text, p_id text, p_now bigint, p_free bigint, p_base bigint, p_max bigint,
                                       p_lockout_failures bigint, p_lockout_ms bigint, p_forget bigint, p_if_unlocked boolean)
  RETURNS TABLE (r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  v_lock1 bigint := cloudmfa_throttle_lock(NULL, 1, p_now, p_free, p_base, p_max, p_lockout_failures, p_lockout_ms);
BEGIN
  DELETE FROM cloudmfa_otp_guard WHERE org = p_org AND enrolment_id = p_id AND expires_at <= p_now;
  RETURN QUERY
  INSERT INTO cloudmfa_otp_guard AS g (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
  VALUES (p_org, p_id, NULL, 1, v_lock1, NULL, NULL, GREATEST(p_now, COALESCE(v_lock1, 0)) + p_forget)
  ON CONFLICT (org, enrolment_id) DO UPDATE
    SET failures = g.failures + 1,
        locked_until = cloudmfa_throttle_lock(g.locked_until, g.failures + 1, p_now, p_free, p_base, p_max, p_lockout_failures, p_lockout_ms),
        expires_at = CASE WHEN p_forget IS NULL OR g.last_step IS NOT NULL THEN NULL
          ELSE GREATEST(p_now, COALESCE(cloudmfa_throttle_lock(g.locked_until, g.failures + 1, p_now, p_free, p_base, p_max,
                                                                p_lockout_failures, p_lockout_ms), 0)) + p_forget END
    WHERE NOT p_if_unlocked OR g.locked_until IS NULL OR g.locked_until <= p_now
  RETURNING 'ok'::text, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at;
  IF NOT FOUND THEN
    -- Refused by the lock: the conflicting row is locked by this transaction (ON CONFLICT locks
    -- it even when the WHERE is false), so this read sees the state that refused the count.
    RETURN QUERY
    SELECT 'locked'::text, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
    FROM cloudmfa_otp_guard AS g WHERE g.org = p_org AND g.enrolment_id = p_id;
    RETURN;
  END IF;
  -- IS NOT NULL and ORDER BY expires_at: the partial index on expires_at, also in the generic
  -- plan PL/pgSQL caches (which otherwise scans the whole table for `expires_at <= $1`).
  DELETE FROM cloudmfa_otp_guard WHERE (org, enrolment_id) IN (
    SELECT org, enrolment_id FROM cloudmfa_otp_guard
    WHERE expires_at IS NOT NULL AND expires_at <= p_now AND NOT (org = p_org AND enrolment_id = p_id)
    ORDER BY expires_at LIMIT 8
    FOR UPDATE SKIP LOCKED);
END
$$;

-- The batch of cloudmfa_otp_count_org: the counts (attempts and recordFailures) of one event-loop
-- turn, of any organisations, in one call: one transaction, one commit. Element i is decided
-- by its own count, in array order (the adapter sorts by (org, id), stably, so that concurrent
-- batches lock guard rows in one global order). p_if_unlocked[i]: attempt (true) or
-- recordFailure (false).
CREATE FUNCTION cloudmfa_otp_count_batch(p_orgs text[], p_ids text[], p_nows bigint[], p_free bigint[], p_base bigint[], p_max bigint[],
                                         p_lockout_failures bigint[], p_lockout_ms bigint[], p_forget bigint[], p_if_unlocked boolean[])
  RETURNS TABLE (r_index integer, r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  n integer := coalesce(array_length(p_ids, 1), 0);
BEGIN
  IF coalesce(array_length(p_orgs, 1), 0) <> n OR coalesce(array_length(p_nows, 1), 0) <> n
     OR coalesce(array_length(p_free, 1), 0) <> n OR coalesce(array_length(p_base, 1), 0) <> n
     OR coalesce(array_length(p_max, 1), 0) <> n OR coalesce(array_length(p_lockout_failures, 1), 0) <> n
     OR coalesce(array_length(p_lockout_ms, 1), 0) <> n OR coalesce(array_length(p_forget, 1), 0) <> n
     OR coalesce(array_length(p_if_unlocked, 1), 0) <> n THEN
    RAISE EXCEPTION 'cloudmfa_otp_count_batch: arrays of different lengths' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 1 .. n LOOP
    RETURN QUERY SELECT i, c.* FROM cloudmfa_otp_count_org(p_orgs[i], p_ids[i], p_nows[i], p_free[i], p_base[i], p_max[i],
      p_lockout_failures[i], p_lockout_ms[i], p_forget[i], p_if_unlocked[i]) AS c;
  END LOOP;
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

-- The consumes of one event-loop turn, of any organisations, in one call (the group commit of
-- migration 4, now across organisations). Element i is cloudmfa_otp_consume_org; with
-- p_logs[i] its audit entry goes, when the step is accepted, straight to the audit log by
-- cloudmfa_audit_append_org instead of the outbox (consume's auditLog, docs/storage.md 5). The
-- follow locks of the organisations logged to are all taken first, SHARED, in ascending key
-- order and before any guard row is locked: every holder of several follow locks takes them in
-- one order, and a follower holds one organisation's lock only, so batches, appends and
-- followers cannot close a cycle whatever organisations a batch spans. The r_a_* columns are the logged event.
CREATE FUNCTION cloudmfa_otp_consume_log_batch(p_orgs text[], p_ids text[], p_steps bigint[], p_drifts integer[], p_nows bigint[],
                                               p_unlocks bigint[], p_keys text[], p_kinds text[], p_user_ids text[], p_details json[],
                                               p_logs boolean[])
  RETURNS TABLE (r_index integer, r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint,
                 r_a_seq bigint, r_a_at bigint, r_a_kind text, r_a_enrolment_id text, r_a_user_id text, r_a_detail json)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  n integer := coalesce(array_length(p_ids, 1), 0);
  k bigint;
  c record;
  a record;
BEGIN
  IF coalesce(array_length(p_orgs, 1), 0) <> n OR coalesce(array_length(p_steps, 1), 0) <> n
     OR coalesce(array_length(p_drifts, 1), 0) <> n OR coalesce(array_length(p_nows, 1), 0) <> n
     OR coalesce(array_length(p_unlocks, 1), 0) <> n OR coalesce(array_length(p_keys, 1), 0) <> n
     OR coalesce(array_length(p_kinds, 1), 0) <> n OR coalesce(array_length(p_user_ids, 1), 0) <> n
     OR coalesce(array_length(p_details, 1), 0) <> n OR coalesce(array_length(p_logs, 1), 0) <> n THEN
    RAISE EXCEPTION 'cloudmfa_otp_consume_log_batch: arrays of different lengths' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR k IN SELECT DISTINCT cloudmfa_audit_follow_key(x.o) AS fk FROM unnest(p_orgs, p_logs) AS x(o, l) WHERE x.l ORDER BY fk LOOP
    PERFORM pg_advisory_xact_lock_shared(k);
  END LOOP;
  FOR i IN 1 .. n LOOP
    -- With p_logs[i] the outbox key is withheld from the consume: the entry goes to the log.
    SELECT * INTO c FROM cloudmfa_otp_consume_org(p_orgs[i], p_ids[i], p_steps[i], p_drifts[i], p_nows[i], p_unlocks[i],
      CASE WHEN p_logs[i] THEN NULL ELSE p_keys[i] END, p_kinds[i], p_ids[i], p_user_ids[i], p_details[i]);
    IF c.r_outcome = 'ok' AND p_logs[i] THEN
      SELECT * INTO a FROM cloudmfa_audit_append_org(p_orgs[i], p_nows[i], p_kinds[i], p_ids[i], p_user_ids[i], p_details[i], p_keys[i]);
      RETURN QUERY SELECT i, c.r_outcome, c.r_last_step, c.r_failures, c.r_locked_until, c.r_drift, c.r_last_used_at,
        a.r_seq, a.r_at, a.r_kind, a.r_enrolment_id, a.r_user_id, a.r_detail;
    ELSE
      RETURN QUERY SELECT i, c.r_outcome, c.r_last_step, c.r_failures, c.r_locked_until, c.r_drift, c.r_last_used_at,
        NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::json;
    END IF;
  END LOOP;
END
$$;
