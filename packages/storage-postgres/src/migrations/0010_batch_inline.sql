-- PostgreSQL's CPU per verification (issue 12, docs/storage-postgres.md section 3): the batch
-- functions of migration 8 called, per element, a PL/pgSQL function with `SET search_path FROM
-- CURRENT` through `RETURN QUERY SELECT ... FROM f(...)` or `SELECT * INTO`: per element a call
-- through the SET wrapper (a GUC save and restore), a new PL/pgSQL frame, a query over a table
-- function and its tuplestore, and (audit) the follow key's SQL function and a re-entrant
-- advisory lock that the batch already holds; plus a DELETE of the element's forgotten guard
-- and, per count, a purge statement. These replace the two batch functions on the verification
-- path by functions whose loop runs each element's statements itself, with the same answers and
-- rows, each element still decided by its own conditional statement, in array order:
--   * a forgotten guard (expires_at <= now) is replaced by the upsert itself (the row migration
--     8 inserted after deleting it), not by a DELETE statement first;
--   * the count batch purges other forgotten guards once, after its counts: up to 8 per count
--     that wrote (as migration 8 did after each), forgotten at the earliest of those counts'
--     times (so never a row this batch just counted: its expiry is after its count's time);
--   * one SET per batch, no per-element function call, RETURN NEXT instead of RETURN QUERY.
-- Only CREATE OR REPLACE with the signatures of migration 8: a server not yet restarted calls
-- the same functions and gets the same rows. The per-element functions of migrations 5 and 8
-- stay (audit.append's batch of migration 9 still calls cloudmfa_audit_append_org).

-- cloudmfa_otp_count_org (migration 8) per element, in array order.
CREATE OR REPLACE FUNCTION cloudmfa_otp_count_batch(p_orgs text[], p_ids text[], p_nows bigint[], p_free bigint[], p_base bigint[], p_max bigint[],
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

-- cloudmfa_otp_consume_org (migration 5) per element, then, with p_logs[i] and the step
-- accepted, cloudmfa_audit_append_org (migration 8) without its lock: the follow locks of every
-- organisation logged to are taken first, SHARED, in ascending key order, before any guard row
-- is locked, and held to commit (as in migration 8).
CREATE OR REPLACE FUNCTION cloudmfa_otp_consume_log_batch(p_orgs text[], p_ids text[], p_steps bigint[], p_drifts integer[], p_nows bigint[],
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
