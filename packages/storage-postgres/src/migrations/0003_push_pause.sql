-- Per-user push pause and pending cap (docs/storage.md section 6, challenges.pauseUser).
--
-- Both functions first upsert the user's pause row, which locks it: a create and a pause of
-- the same user are serialized, and each statement after the lock reads a new snapshot (the
-- functions are VOLATILE), so a challenge created concurrently with a pause is either
-- cancelled by it (created first) or refused (created after). A user's row stays (one small
-- row per user that ever got a push); paused_until 0 means not paused.
CREATE TABLE cloudmfa_push_pause (
  user_id      text COLLATE "C" PRIMARY KEY,
  paused_until bigint NOT NULL
);
CREATE INDEX cloudmfa_challenges_user_pending ON cloudmfa_challenges (user_id, expires_at)
  WHERE status = 'pending';

CREATE FUNCTION cloudmfa_challenge_create(p_id text, p_enrolment_id text, p_user_id text, p_now bigint,
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
  INSERT INTO cloudmfa_push_pause AS p (user_id, paused_until) VALUES (p_user_id, 0)
  ON CONFLICT (user_id) DO UPDATE SET paused_until = p.paused_until
  RETURNING p.paused_until INTO v_until;
  IF p_now < v_until THEN
    RETURN QUERY SELECT 'paused'::text, v_until, 0::bigint;
    RETURN;
  END IF;
  IF p_max_pending IS NOT NULL THEN
    SELECT count(*) INTO v_pending FROM cloudmfa_challenges
      WHERE user_id = p_user_id AND status = 'pending' AND expires_at > p_now;
    IF v_pending >= p_max_pending THEN
      RETURN QUERY SELECT 'too_many_pending'::text, v_until, v_pending;
      RETURN;
    END IF;
  END IF;
  INSERT INTO cloudmfa_challenges (id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome)
  VALUES (p_id, p_enrolment_id, p_user_id, 'pending', p_now, p_expires_at, NULL, p_meta, NULL)
  ON CONFLICT (id) DO NOTHING;
  IF FOUND THEN
    RETURN QUERY SELECT 'ok'::text, v_until, 0::bigint;
  ELSE
    RETURN QUERY SELECT 'conflict'::text, v_until, 0::bigint;
  END IF;
END
$$;

CREATE FUNCTION cloudmfa_push_pause_user(p_user_id text, p_until bigint, p_now bigint, p_outcome json)
  RETURNS TABLE (r_paused_until bigint, r_cancelled bigint)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
AS $$
DECLARE
  v_until bigint;
  v_cancelled bigint;
BEGIN
  INSERT INTO cloudmfa_push_pause AS p (user_id, paused_until) VALUES (p_user_id, p_until)
  ON CONFLICT (user_id) DO UPDATE SET paused_until = GREATEST(p.paused_until, EXCLUDED.paused_until)
  RETURNING p.paused_until INTO v_until;
  UPDATE cloudmfa_challenges SET status = 'cancelled', finalized_at = p_now, outcome = p_outcome
    WHERE user_id = p_user_id AND status = 'pending' AND expires_at > p_now;
  GET DIAGNOSTICS v_cancelled = ROW_COUNT;
  RETURN QUERY SELECT v_until, v_cancelled;
END
$$;
