-- CloudMFA storage schema, version 1 (@cloudmfa/storage-postgres).
--
-- Applied by migrate(pool, { schema }) inside one transaction with search_path set to the
-- target schema, so the names below are unqualified on purpose. Never edit a released
-- migration (migrate refuses a changed checksum): add the next file.
--
-- Times are integer milliseconds from the store's injected clock (bigint), never now().
-- Text keys use COLLATE "C": code-point order whatever the database locale.

CREATE TABLE cloudmfa_enrolments (
  id           text COLLATE "C" PRIMARY KEY,
  user_id      text COLLATE "C" NOT NULL,
  status       text   NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
  secret       bytea  NOT NULL CHECK (octet_length(secret) <= 4096),
  meta         json   NOT NULL,
  created_at   bigint NOT NULL,
  expires_at   bigint NOT NULL,
  activated_at bigint,
  revoked_at   bigint,
  version      bigint NOT NULL CHECK (version >= 1)
);
CREATE INDEX cloudmfa_enrolments_user ON cloudmfa_enrolments (user_id, created_at, id);

CREATE TABLE cloudmfa_otp_guard (
  enrolment_id text COLLATE "C" PRIMARY KEY,
  last_step    bigint CHECK (last_step >= 0),
  failures     bigint NOT NULL CHECK (failures >= 0),
  locked_until bigint,
  drift        integer,
  last_used_at bigint
);

CREATE TABLE cloudmfa_challenges (
  id           text COLLATE "C" PRIMARY KEY,
  enrolment_id text COLLATE "C" NOT NULL,
  user_id      text COLLATE "C" NOT NULL,
  status       text   NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled', 'expired')),
  created_at   bigint NOT NULL,
  expires_at   bigint NOT NULL,
  finalized_at bigint,
  meta         json   NOT NULL,
  outcome      json
);
-- The device poll (listPending) reads only pending rows, newest first.
CREATE INDEX cloudmfa_challenges_pending ON cloudmfa_challenges (enrolment_id, created_at DESC, id DESC)
  WHERE status = 'pending';

CREATE TABLE cloudmfa_audit (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           bigint NOT NULL,
  kind         text COLLATE "C" NOT NULL,
  enrolment_id text COLLATE "C",
  user_id      text COLLATE "C",
  detail       json   NOT NULL
);
CREATE INDEX cloudmfa_audit_at ON cloudmfa_audit (at, seq);
CREATE INDEX cloudmfa_audit_enrolment ON cloudmfa_audit (enrolment_id, at, seq);
CREATE INDEX cloudmfa_audit_user ON cloudmfa_audit (user_id, at, seq);

-- The audit log is append-only, enforced by the database too. A retention job runs as the
-- table owner with the row trigger disabled.
CREATE FUNCTION cloudmfa_audit_append_only() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'cloudmfa_audit is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER cloudmfa_audit_append_only_row BEFORE UPDATE OR DELETE ON cloudmfa_audit
  FOR EACH ROW EXECUTE FUNCTION cloudmfa_audit_append_only();
CREATE TRIGGER cloudmfa_audit_append_only_truncate BEFORE TRUNCATE ON cloudmfa_audit
  FOR EACH STATEMENT EXECUTE FUNCTION cloudmfa_audit_append_only();

-- Atomic verify-and-consume of one OTP time step (or HOTP counter).
--
-- The INSERT ... ON CONFLICT DO UPDATE ... WHERE is the whole decision: of any number of
-- concurrent calls for the same enrolment and step, on any number of servers, exactly one
-- passes the WHERE. When the WHERE is false, PostgreSQL still locks the conflicting row
-- until the end of the transaction, so the SELECT that follows (a new snapshot: the function
-- is VOLATILE) reads exactly the state that refused the step, and only to say why.
-- Order of reasons (docs/storage.md section 5): locked, then replayed.
CREATE FUNCTION cloudmfa_otp_consume(p_id text, p_step bigint, p_drift integer, p_now bigint)
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
    WHERE (g.locked_until IS NULL OR g.locked_until <= p_now)
      AND (g.last_step IS NULL OR g.last_step < p_step)
  RETURNING 'ok'::text, g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at;
  IF FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT CASE
           WHEN g.locked_until IS NOT NULL AND p_now < g.locked_until THEN 'locked'
           WHEN g.last_step IS NOT NULL AND p_step <= g.last_step THEN 'replayed'
           ELSE 'inconsistent'
         END,
         g.last_step, g.failures, g.locked_until, g.drift, g.last_used_at
  FROM cloudmfa_otp_guard AS g
  WHERE g.enrolment_id = p_id;
END
$$;

-- Many consumes in one call and one transaction (one commit, one round trip): the adapter
-- groups the consumes that arrive together. Each element is decided by its own
-- cloudmfa_otp_consume, in array order, so duplicates within a batch behave as sequential
-- calls. The caller sorts the batch by enrolment id, so that concurrent batches lock rows in
-- the same order and cannot deadlock. A failure rolls back the whole batch: nothing is ever
-- half-applied, and every caller in it gets the error.
CREATE FUNCTION cloudmfa_otp_consume_batch(p_ids text[], p_steps bigint[], p_drifts integer[], p_nows bigint[])
  RETURNS TABLE (r_index integer, r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
BEGIN
  IF array_length(p_steps, 1) IS DISTINCT FROM array_length(p_ids, 1)
     OR array_length(p_drifts, 1) IS DISTINCT FROM array_length(p_ids, 1)
     OR array_length(p_nows, 1) IS DISTINCT FROM array_length(p_ids, 1) THEN
    RAISE EXCEPTION 'cloudmfa_otp_consume_batch: arrays of different lengths' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
    RETURN QUERY SELECT i, c.* FROM cloudmfa_otp_consume(p_ids[i], p_steps[i], p_drifts[i], p_nows[i]) AS c;
  END LOOP;
END
$$;
