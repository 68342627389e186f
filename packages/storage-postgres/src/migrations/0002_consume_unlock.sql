-- guard.consume with `unlockThrough` (docs/storage.md section 5): a lock that ends at or
-- before p_unlock (the caller's own count of this very attempt set it) does not refuse the
-- step, and it is lifted only together with the acceptance of a NEW step, in the same
-- statement. A replayed step never lowers `failures` nor lifts a lock. p_unlock NULL: the
-- behaviour of cloudmfa_otp_consume. Order of reasons: locked, then replayed.
CREATE FUNCTION cloudmfa_otp_consume_unlock(p_id text, p_step bigint, p_drift integer, p_now bigint, p_unlock bigint)
  RETURNS TABLE (r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
BEGIN
  RETURN QUERY
  INSERT INTO cloudmfa_otp_guard AS g (enrolment_id, last_step, failures, locked_until, drift, last_used_at)
  VALUES (p_id, p_step, 0, NULL, p_drift, p_now)
  ON CONFLICT (enrolment_id) DO UPDATE
    SET last_step = EXCLUDED.last_step,
        failures = 0,
        locked_until = NULL,
        drift = COALESCE(EXCLUDED.drift, g.drift),
        last_used_at = EXCLUDED.last_used_at
    WHERE (g.locked_until IS NULL OR g.locked_until <= p_now OR (p_unlock IS NOT NULL AND g.locked_until <= p_unlock))
      AND (g.last_step IS NULL OR g.last_step < p_step)
  RETURNING 'ok'::text, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at;
  IF FOUND THEN
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

-- The batch of cloudmfa_otp_consume_unlock (see cloudmfa_otp_consume_batch).
CREATE FUNCTION cloudmfa_otp_consume_unlock_batch(p_ids text[], p_steps bigint[], p_drifts integer[], p_nows bigint[], p_unlocks bigint[])
  RETURNS TABLE (r_index integer, r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
BEGIN
  IF array_length(p_steps, 1) IS DISTINCT FROM array_length(p_ids, 1)
     OR array_length(p_drifts, 1) IS DISTINCT FROM array_length(p_ids, 1)
     OR array_length(p_nows, 1) IS DISTINCT FROM array_length(p_ids, 1)
     OR array_length(p_unlocks, 1) IS DISTINCT FROM array_length(p_ids, 1) THEN
    RAISE EXCEPTION 'cloudmfa_otp_consume_unlock_batch: arrays of different lengths' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
    RETURN QUERY SELECT i, c.* FROM cloudmfa_otp_consume_unlock(p_ids[i], p_steps[i], p_drifts[i], p_nows[i], p_unlocks[i]) AS c;
  END LOOP;
END
$$;
