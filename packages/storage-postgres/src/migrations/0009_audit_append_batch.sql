-- The audit log's append in groups (docs/storage-postgres.md section 3): the appends of one
-- event-loop turn, of any organisations, in one call, so one transaction and one WAL flush
-- instead of one each. A store whose guard is elsewhere (Redis, composeStore) moves every
-- accepted code's outbox entry with an append. Only a function: nothing of migrations 1..8 is
-- dropped (a server not yet restarted keeps calling them).
--
-- Element i is cloudmfa_audit_append_org (migration 8), so a key the log holds answers the
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
