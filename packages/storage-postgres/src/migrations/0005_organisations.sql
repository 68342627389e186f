-- Organisations (docs/storage.md, "Organisations", issue 12 §1): every row is keyed by its
-- organisation, in every primary and unique key, so that no id, user id, audit key or race of
-- one organisation reaches another's rows. Rows written before belong to the default
-- organisation ('default'). ADD COLUMN with a constant default rewrites no table.

CREATE TABLE cloudmfa_organisations (
  id         text COLLATE "C" PRIMARY KEY,
  issuer     text   NOT NULL,
  origin     text,
  policy     json   NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  version    bigint NOT NULL
);

ALTER TABLE cloudmfa_enrolments ADD COLUMN org text COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE cloudmfa_enrolments DROP CONSTRAINT cloudmfa_enrolments_pkey, ADD PRIMARY KEY (org, id);
DROP INDEX cloudmfa_enrolments_user;
CREATE INDEX cloudmfa_enrolments_user ON cloudmfa_enrolments (org, user_id, created_at, id);

ALTER TABLE cloudmfa_otp_guard ADD COLUMN org text COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE cloudmfa_otp_guard DROP CONSTRAINT cloudmfa_otp_guard_pkey, ADD PRIMARY KEY (org, enrolment_id);

ALTER TABLE cloudmfa_challenges ADD COLUMN org text COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE cloudmfa_challenges DROP CONSTRAINT cloudmfa_challenges_pkey, ADD PRIMARY KEY (org, id);
DROP INDEX cloudmfa_challenges_pending;
CREATE INDEX cloudmfa_challenges_pending ON cloudmfa_challenges (org, enrolment_id, created_at DESC, id DESC)
  WHERE status = 'pending';
DROP INDEX cloudmfa_challenges_user_pending;
CREATE INDEX cloudmfa_challenges_user_pending ON cloudmfa_challenges (org, user_id, expires_at)
  WHERE status = 'pending';

ALTER TABLE cloudmfa_push_pause ADD COLUMN org text COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE cloudmfa_push_pause DROP CONSTRAINT cloudmfa_push_pause_pkey, ADD PRIMARY KEY (org, user_id);

ALTER TABLE cloudmfa_audit_outbox ADD COLUMN org text COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE cloudmfa_audit_outbox DROP CONSTRAINT cloudmfa_audit_outbox_pkey, ADD PRIMARY KEY (org, entry_key);
DROP INDEX cloudmfa_audit_outbox_at;
CREATE INDEX cloudmfa_audit_outbox_at ON cloudmfa_audit_outbox (org, at, entry_key);

ALTER TABLE cloudmfa_audit ADD COLUMN org text COLLATE "C" NOT NULL DEFAULT 'default';
DROP INDEX cloudmfa_audit_at;
DROP INDEX cloudmfa_audit_enrolment;
DROP INDEX cloudmfa_audit_user;
DROP INDEX cloudmfa_audit_entry_key;
CREATE INDEX cloudmfa_audit_at ON cloudmfa_audit (org, at, seq);
CREATE INDEX cloudmfa_audit_enrolment ON cloudmfa_audit (org, enrolment_id, at, seq);
CREATE INDEX cloudmfa_audit_user ON cloudmfa_audit (org, user_id, at, seq);
CREATE UNIQUE INDEX cloudmfa_audit_entry_key ON cloudmfa_audit (org, entry_key);

-- The functions keyed by one column conflict on keys that no longer exist: replaced by the
-- same functions with the organisation as their first argument.
DROP FUNCTION cloudmfa_otp_consume_batch(text[], bigint[], integer[], bigint[]);
DROP FUNCTION cloudmfa_otp_consume(text, bigint, integer, bigint);
DROP FUNCTION cloudmfa_otp_consume_unlock_batch(text[], bigint[], integer[], bigint[], bigint[]);
DROP FUNCTION cloudmfa_otp_consume_unlock(text, bigint, integer, bigint, bigint);
DROP FUNCTION cloudmfa_otp_consume_outbox_batch(text[], bigint[], integer[], bigint[], bigint[], text[], text[], text[], text[], json[]);
DROP FUNCTION cloudmfa_otp_consume_outbox(text, bigint, integer, bigint, bigint, text, text, text, text, json);
DROP FUNCTION cloudmfa_challenge_create(text, text, text, bigint, bigint, json, integer);
DROP FUNCTION cloudmfa_push_pause_user(text, bigint, bigint, json);

CREATE FUNCTION cloudmfa_otp_consume_org(p_org text, p_id text, p_step bigint, p_drift integer, p_now bigint, p_unlock bigint,
                                         p_key text, p_kind text, p_enrolment_id text, p_user_id text, p_detail json)
  RETURNS TABLE (r_outcome text, r_last_step bigint, r_failures bigint, r_locked_until bigint,
                 r_drift integer, r_last_used_at bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
BEGIN
  DELETE FROM cloudmfa_otp_guard WHERE org = p_org AND enrolment_id = p_id AND expires_at <= p_now;
  RETURN QUERY
  INSERT INTO cloudmfa_otp_guard AS g (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
  VALUES (p_org, p_id, p_step, 0, NULL, p_drift, p_now, NULL)
  ON CONFLICT (org, enrolment_id) DO UPDATE
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
      INSERT INTO cloudmfa_audit_outbox (org, entry_key, at, kind, enrolment_id, user_id, detail)
      VALUES (p_org, p_key, p_now, p_kind, p_enrolment_id, p_user_id, p_detail)
      ON CONFLICT (org, entry_key) DO NOTHING;
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
  WHERE g.org = p_org AND g.enrolment_id = p_id;
END
$$;

-- The batch of cloudmfa_otp_consume_org, for one organisation: one call, one transaction, one commit.
CREATE FUNCTION cloudmfa_otp_consume_org_batch(p_org text, p_ids text[], p_steps bigint[], p_drifts integer[], p_nows bigint[], p_unlocks bigint[],
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
    RAISE EXCEPTION 'cloudmfa_otp_consume_org_batch: arrays of different lengths' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 1 .. n LOOP
    RETURN QUERY SELECT i, c.* FROM cloudmfa_otp_consume_org(p_org, p_ids[i], p_steps[i], p_drifts[i], p_nows[i], p_unlocks[i],
      p_keys[i], p_kinds[i], p_enrolment_ids[i], p_user_ids[i], p_details[i]) AS c;
  END LOOP;
END
$$;

CREATE FUNCTION cloudmfa_challenge_create_org(p_org text, p_id text, p_enrolment_id text, p_user_id text, p_now bigint,
                                              p_expires_at bigint, p_meta json, p_max_pending integer)
  RETURNS TABLE (r_outcome text, r_paused_until bigint, r_pending bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  v_until bigint;
  v_pending bigint;
BEGIN
  INSERT INTO cloudmfa_push_pause AS p (org, user_id, paused_until) VALUES (p_org, p_user_id, 0)
  ON CONFLICT (org, user_id) DO UPDATE SET paused_until = p.paused_until
  RETURNING p.paused_until INTO v_until;
  IF p_now < v_until THEN
    RETURN QUERY SELECT 'paused'::text, v_until, 0::bigint;
    RETURN;
  END IF;
  IF p_max_pending IS NOT NULL THEN
    SELECT count(*) INTO v_pending FROM cloudmfa_challenges
      WHERE org = p_org AND user_id = p_user_id AND status = 'pending' AND expires_at > p_now;
    IF v_pending >= p_max_pending THEN
      RETURN QUERY SELECT 'too_many_pending'::text, v_until, v_pending;
      RETURN;
    END IF;
  END IF;
  INSERT INTO cloudmfa_challenges (org, id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome)
  VALUES (p_org, p_id, p_enrolment_id, p_user_id, 'pending', p_now, p_expires_at, NULL, p_meta, NULL)
  ON CONFLICT (org, id) DO NOTHING;
  IF FOUND THEN
    RETURN QUERY SELECT 'ok'::text, v_until, 0::bigint;
  ELSE
    RETURN QUERY SELECT 'conflict'::text, v_until, 0::bigint;
  END IF;
END
$$;

CREATE FUNCTION cloudmfa_push_pause_user_org(p_org text, p_user_id text, p_until bigint, p_now bigint, p_outcome json)
  RETURNS TABLE (r_paused_until bigint, r_cancelled bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  v_until bigint;
  v_cancelled bigint;
BEGIN
  INSERT INTO cloudmfa_push_pause AS p (org, user_id, paused_until) VALUES (p_org, p_user_id, p_until)
  ON CONFLICT (org, user_id) DO UPDATE SET paused_until = GREATEST(p.paused_until, EXCLUDED.paused_until)
  RETURNING p.paused_until INTO v_until;
  UPDATE cloudmfa_challenges SET status = 'cancelled', finalized_at = p_now, outcome = p_outcome
    WHERE org = p_org AND user_id = p_user_id AND status = 'pending' AND expires_at > p_now;
  GET DIAGNOSTICS v_cancelled = ROW_COUNT;
  RETURN QUERY SELECT v_until, v_cancelled;
END
$$;
