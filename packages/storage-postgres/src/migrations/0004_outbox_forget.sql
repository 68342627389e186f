-- Forgotten throttle guards, the audit outbox, and the audit log's idempotency key
-- (docs/storage.md sections 5.2 and 5.3, issue 11 §3 and §6).

-- A guard counted with ThrottlePolicy.forgetAfterMs that never accepted a step is forgotten at
-- expires_at: it reads as absent, and writes remove such rows a few at a time.
ALTER TABLE cloudmfa_otp_guard ADD COLUMN expires_at bigint;
CREATE INDEX cloudmfa_otp_guard_expiry ON cloudmfa_otp_guard (expires_at) WHERE expires_at IS NOT NULL;

-- Audit entries recorded in the same transaction as an accepted consume, until the server has
-- moved them into cloudmfa_audit (by entry_key, so a repeated move never duplicates).
CREATE TABLE cloudmfa_audit_outbox (
  entry_key    text COLLATE "C" PRIMARY KEY,
  at           bigint NOT NULL,
  kind         text COLLATE "C" NOT NULL,
  enrolment_id text COLLATE "C",
  user_id      text COLLATE "C",
  detail       json   NOT NULL
);
CREATE INDEX cloudmfa_audit_outbox_at ON cloudmfa_audit_outbox (at, entry_key);

ALTER TABLE cloudmfa_audit ADD COLUMN entry_key text COLLATE "C";
CREATE UNIQUE INDEX cloudmfa_audit_entry_key ON cloudmfa_audit (entry_key);

-- cloudmfa_otp_consume_unlock, plus: a forgotten guard is removed first (it counts as never
-- touched), an accepted step clears expires_at, and p_key (when not NULL) records the outbox
-- entry in the same transaction as the acceptance, and only then.
CREATE FUNCTION cloudmfa_otp_consume_outbox(p_id text, p_step bigint, p_drift integer, p_now bigint, p_unlock bigint,
                                            p_key text, p_kind text, p_enrolment_id text, p_user_id text, p_detail json)
  RETURNS TABLE (r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
BEGIN
  DELETE FROM cloudmfa_otp_guard WHERE enrolment_id = p_id AND expires_at <= p_now;
  RETURN QUERY
  INSERT INTO cloudmfa_otp_guard AS g (enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
  VALUES (p_id, p_step, 0, NULL, p_drift, p_now, NULL)
  ON CONFLICT (enrolment_id) DO UPDATE
    SET last_step = EXCLUDED.last_step,
        failures = 0,
        locked_until = NULL,
        drift = COALESCE(EXCLUDED.drift, g.drift),
        last_used_at = EXCLUDED.last_used_at,
        expires_at = NULL
    WHERE (g.locked_until IS NULL OR g.locked_until <= p_now OR (p_unlock IS NOT NULL AND g.locked_until <= p_unlock))
      AND (g.last_step IS NULL OR g.last_step < p_step)
  RETURNING 'ok'::text, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at;
  IF FOUND THEN
    IF p_key IS NOT NULL THEN
      INSERT INTO cloudmfa_audit_outbox (entry_key, at, kind, enrolment_id, user_id, detail)
      VALUES (p_key, p_now, p_kind, p_enrolment_id, p_user_id, p_detail)
      ON CONFLICT (entry_key) DO NOTHING;
    END IF;
    RETURN;
  END IF;
  RETURN QUERY
  SELECT CASE
           WHEN g.locked_until IS NOT NULL AND p_now < g.locked_until
                AND (p_unlock IS NULL OR g.locked_until > p_unlock) THEN 'locked'
           WHEN g.last_step IS NOT NULL AND p_step <= g.last_step THEN 'replayed'
           ELSE 'inconsistent'
         END,
         g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
  FROM cloudmfa_otp_guard AS g
  WHERE g.enrolment_id = p_id;
END
$$;

-- The batch of cloudmfa_otp_consume_outbox: one call, one transaction, one commit.
CREATE FUNCTION cloudmfa_otp_consume_outbox_batch(p_ids text[], p_steps bigint[], p_drifts integer[], p_nows bigint[], p_unlocks bigint[],
                                                  p_keys text[], p_kinds text[], p_enrolment_ids text[], p_user_ids text[], p_details json[])
  RETURNS TABLE (r_index integer, r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  n integer := coalesce(array_length(p_ids, 1), 0);
BEGIN
  IF coalesce(array_length(p_steps, 1), 0) <> n OR coalesce(array_length(p_drifts, 1), 0) <> n
     OR coalesce(array_length(p_nows, 1), 0) <> n OR coalesce(array_length(p_unlocks, 1), 0) <> n
     OR coalesce(array_length(p_keys, 1), 0) <> n OR coalesce(array_length(p_kinds, 1), 0) <> n
     OR coalesce(array_length(p_enrolment_ids, 1), 0) <> n OR coalesce(array_length(p_user_ids, 1), 0) <> n
     OR coalesce(array_length(p_details, 1), 0) <> n THEN
    RAISE EXCEPTION 'cloudmfa_otp_consume_outbox_batch: arrays of different lengths' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 1 .. n LOOP
    RETURN QUERY SELECT i, c.* FROM cloudmfa_otp_consume_outbox(p_ids[i], p_steps[i], p_drifts[i], p_nows[i], p_unlocks[i],
      p_keys[i], p_kinds[i], p_enrolment_ids[i], p_user_ids[i], p_details[i]) AS c;
  END LOOP;
END
$$;
