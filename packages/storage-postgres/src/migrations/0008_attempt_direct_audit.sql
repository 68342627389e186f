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

-- cloudmfa_otp_count_org (above) per element, in array order, with the element's statements run
-- in the batch's own loop (no per-element call through a SET-wrapped PL/pgSQL function, whose
-- GUC save and restore, frame and tuplestore were most of PostgreSQL's CPU per verification):
--   * a forgotten guard (expires_at <= now) is replaced by the upsert itself;
--   * other forgotten guards are purged once, after the counts: up to 8 per count that wrote,
--     forgotten at the earliest of those counts' times (so never a row this batch just counted),
--     FOR UPDATE SKIP LOCKED, so a purge never waits and no lock wait follows it (a purge
--     between counts could close a lock cycle with another batch).
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
  v_lock1 bigint;
  v_purge integer := 0;
  v_purge_now bigint;
BEGIN
  IF coalesce(array_length(p_orgs, 1), 0) <> n OR coalesce(array_length(p_nows, 1), 0) <> n
     OR coalesce(array_length(p_free, 1), 0) <> n OR coalesce(array_length(p_base, 1), 0) <> n
     OR coalesce(array_length(p_max, 1), 0) <> n OR coalesce(array_length(p_lockout_failures, 1), 0) <> n
     OR coalesce(array_length(p_lockout_ms, 1), 0) <> n OR coalesce(array_length(p_forget, 1), 0) <> n
     OR coalesce(array_length(p_if_unlocked, 1), 0) <> n THEN
    RAISE EXCEPTION 'cloudmfa_otp_count_batch: arrays of different lengths' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 1 .. n LOOP
    r_index := i;
    v_lock1 := cloudmfa_throttle_lock(NULL, 1, p_nows[i], p_free[i], p_base[i], p_max[i], p_lockout_failures[i], p_lockout_ms[i]);
    -- A forgotten guard (expires_at <= now) counts from zero: the update writes the inserted
    -- row over it (migration 8 deleted it first, then inserted; the same row, one statement).
    INSERT INTO cloudmfa_otp_guard AS g (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
    VALUES (p_orgs[i], p_ids[i], NULL, 1, v_lock1, NULL, NULL, GREATEST(p_nows[i], COALESCE(v_lock1, 0)) + p_forget[i])
    ON CONFLICT (org, enrolment_id) DO UPDATE
      SET last_step = CASE WHEN g.expires_at <= p_nows[i] THEN EXCLUDED.last_step ELSE g.last_step END,
          failures = CASE WHEN g.expires_at <= p_nows[i] THEN EXCLUDED.failures ELSE g.failures + 1 END,
          locked_until = CASE WHEN g.expires_at <= p_nows[i] THEN EXCLUDED.locked_until
            ELSE cloudmfa_throttle_lock(g.locked_until, g.failures + 1, p_nows[i], p_free[i], p_base[i], p_max[i],
                                        p_lockout_failures[i], p_lockout_ms[i]) END,
          drift = CASE WHEN g.expires_at <= p_nows[i] THEN EXCLUDED.drift ELSE g.drift END,
          last_used_at = CASE WHEN g.expires_at <= p_nows[i] THEN EXCLUDED.last_used_at ELSE g.last_used_at END,
          expires_at = CASE WHEN g.expires_at <= p_nows[i] THEN EXCLUDED.expires_at
            WHEN p_forget[i] IS NULL OR g.last_step IS NOT NULL THEN NULL
            ELSE GREATEST(p_nows[i], COALESCE(cloudmfa_throttle_lock(g.locked_until, g.failures + 1, p_nows[i], p_free[i], p_base[i],
                                                                      p_max[i], p_lockout_failures[i], p_lockout_ms[i]), 0)) + p_forget[i] END
      WHERE g.expires_at <= p_nows[i] OR NOT p_if_unlocked[i] OR g.locked_until IS NULL OR g.locked_until <= p_nows[i]
    RETURNING 'ok'::text, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
    INTO r_outcome, r_last_step, r_failures, r_locked_until, r_drift, r_last_used_at;
    IF FOUND THEN
      -- The purge after the loop takes up to 8 forgotten guards for this count.
      v_purge := v_purge + 8;
      v_purge_now := LEAST(v_purge_now, p_nows[i]);
    ELSE
      -- Refused by the lock: the conflicting row is locked by this transaction, so this read
      -- sees the state that refused the count, and nothing is written.
      SELECT 'locked'::text, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
      INTO r_outcome, r_last_step, r_failures, r_locked_until, r_drift, r_last_used_at
      FROM cloudmfa_otp_guard AS g WHERE g.org = p_orgs[i] AND g.enrolment_id = p_ids[i];
    END IF;
    RETURN NEXT;
  END LOOP;
  -- After the counts, up to 8 forgotten guards per count that wrote, in one statement (migration
  -- 8: one statement after each count), forgotten at the earliest time of those counts, so
  -- that no count's own row, forgotten at the latest `now + forgetAfterMs > now`, can go; the
  -- partial index on expires_at; FOR UPDATE SKIP LOCKED: never waits.
  IF v_purge > 0 THEN
    DELETE FROM cloudmfa_otp_guard WHERE (org, enrolment_id) IN (
      SELECT g.org, g.enrolment_id FROM cloudmfa_otp_guard AS g
      WHERE g.expires_at IS NOT NULL AND g.expires_at <= v_purge_now
      ORDER BY g.expires_at LIMIT v_purge
      FOR UPDATE SKIP LOCKED);
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

-- cloudmfa_otp_consume_org (migration 5) per element, then, with p_logs[i] and the step
-- accepted, cloudmfa_audit_append_org (above) without its lock: the follow locks of every
-- organisation logged to are taken first, SHARED, in ascending key order, before any guard row
-- is locked, and held to commit.
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
    r_index := i;
    r_a_seq := NULL; r_a_at := NULL; r_a_kind := NULL; r_a_enrolment_id := NULL; r_a_user_id := NULL; r_a_detail := NULL;
    -- A forgotten guard is replaced by the inserted row (its drift is not kept), as migration
    -- 5's delete then insert did, in one statement.
    INSERT INTO cloudmfa_otp_guard AS g (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
    VALUES (p_orgs[i], p_ids[i], p_steps[i], 0, NULL, p_drifts[i], p_nows[i], NULL)
    ON CONFLICT (org, enrolment_id) DO UPDATE
      SET last_step = EXCLUDED.last_step,
          failures = 0,
          locked_until = NULL,
          drift = CASE WHEN g.expires_at <= p_nows[i] THEN EXCLUDED.drift ELSE COALESCE(EXCLUDED.drift, g.drift) END,
          last_used_at = EXCLUDED.last_used_at,
          expires_at = NULL
      WHERE g.expires_at <= p_nows[i]
        OR ((g.locked_until IS NULL OR g.locked_until <= p_nows[i] OR (p_unlocks[i] IS NOT NULL AND g.locked_until <= p_unlocks[i]))
            AND (g.last_step IS NULL OR g.last_step < p_steps[i]))
    RETURNING 'ok'::text, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
    INTO r_outcome, r_last_step, r_failures, r_locked_until, r_drift, r_last_used_at;
    IF NOT FOUND THEN
      SELECT CASE
               WHEN g.locked_until IS NOT NULL AND p_nows[i] < g.locked_until
                    AND (p_unlocks[i] IS NULL OR g.locked_until > p_unlocks[i]) THEN 'locked'
               WHEN g.last_step IS NOT NULL AND p_steps[i] <= g.last_step THEN 'replayed'
               ELSE 'inconsistent'
             END,
             g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
      INTO r_outcome, r_last_step, r_failures, r_locked_until, r_drift, r_last_used_at
      FROM cloudmfa_otp_guard AS g WHERE g.org = p_orgs[i] AND g.enrolment_id = p_ids[i];
    ELSIF p_logs[i] THEN
      -- The entry goes to the log (the outbox key is withheld); a key the log holds writes
      -- nothing and answers the stored event.
      INSERT INTO cloudmfa_audit AS a (org, at, kind, enrolment_id, user_id, detail, entry_key)
      VALUES (p_orgs[i], p_nows[i], p_kinds[i], p_ids[i], p_user_ids[i], p_details[i], p_keys[i])
      ON CONFLICT (org, entry_key) DO NOTHING
      RETURNING a.seq, a.at, a.kind, a.enrolment_id, a.user_id, a.detail
      INTO r_a_seq, r_a_at, r_a_kind, r_a_enrolment_id, r_a_user_id, r_a_detail;
      IF NOT FOUND THEN
        -- A new statement, so a new snapshot: the holder of the key has committed.
        SELECT a.seq, a.at, a.kind, a.enrolment_id, a.user_id, a.detail
        INTO r_a_seq, r_a_at, r_a_kind, r_a_enrolment_id, r_a_user_id, r_a_detail
        FROM cloudmfa_audit AS a WHERE a.org = p_orgs[i] AND a.entry_key = p_keys[i];
      END IF;
    ELSIF p_keys[i] IS NOT NULL THEN
      INSERT INTO cloudmfa_audit_outbox (org, entry_key, at, kind, enrolment_id, user_id, detail)
      VALUES (p_orgs[i], p_keys[i], p_nows[i], p_kinds[i], p_ids[i], p_user_ids[i], p_details[i])
      ON CONFLICT (org, entry_key) DO NOTHING;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;

-- The audit log's append in groups (docs/storage-postgres.md section 3): the appends of one
-- event-loop turn, of any organisations, in one call, so one transaction and one WAL flush
-- instead of one each. A store whose guard is elsewhere (Redis, composeStore) moves every
-- accepted code's outbox entry with an append.
-- Element i is cloudmfa_audit_append_org (above), so a key the log holds answers the
-- stored event, a second element with the same key included. The follow locks of every
-- organisation in the call are taken first, SHARED, in ascending key order, as
-- cloudmfa_otp_consume_log_batch does: every holder of several follow locks takes them in one
-- order and a follower holds one only, so calls, consumes and followers cannot close a cycle.
CREATE FUNCTION cloudmfa_audit_append_batch(p_orgs text[], p_ats bigint[], p_kinds text[], p_enrolment_ids text[], p_user_ids text[],
                                            p_details json[], p_keys text[])
  RETURNS TABLE (r_index integer, r_seq bigint, r_at bigint, r_kind text, r_enrolment_id text, r_user_id text, r_detail json)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  n integer := coalesce(array_length(p_orgs, 1), 0);
  k bigint;
  a record;
BEGIN
  IF coalesce(array_length(p_ats, 1), 0) <> n OR coalesce(array_length(p_kinds, 1), 0) <> n
     OR coalesce(array_length(p_enrolment_ids, 1), 0) <> n OR coalesce(array_length(p_user_ids, 1), 0) <> n
     OR coalesce(array_length(p_details, 1), 0) <> n OR coalesce(array_length(p_keys, 1), 0) <> n THEN
    RAISE EXCEPTION 'cloudmfa_audit_append_batch: arrays of different lengths' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR k IN SELECT DISTINCT cloudmfa_audit_follow_key(x.o) AS fk FROM unnest(p_orgs) AS x(o) ORDER BY fk LOOP
    PERFORM pg_advisory_xact_lock_shared(k);
  END LOOP;
  FOR i IN 1 .. n LOOP
    SELECT * INTO a FROM cloudmfa_audit_append_org(p_orgs[i], p_ats[i], p_kinds[i], p_enrolment_ids[i], p_user_ids[i], p_details[i], p_keys[i]);
    RETURN QUERY SELECT i, a.r_seq, a.r_at, a.r_kind, a.r_enrolment_id, a.r_user_id, a.r_detail;
  END LOOP;
END
$$;
