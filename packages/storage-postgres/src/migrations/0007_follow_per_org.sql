-- audit.follow locks one organisation (docs/storage.md 7.1, issue 12 §1). Migration 6 took one
-- advisory lock for the whole audit table: while one organisation's follower waited for it
-- (up to its lock_timeout, 200 ms), the appends of every organisation queued behind it. The
-- order guarantee is per organisation (a follower reads one organisation's rows), so the lock
-- is too: every append takes its organisation's key SHARED before it takes its seq and holds
-- it to commit; the follower takes it EXCLUSIVE. Two organisations whose keys collide share a
-- lock (they may wait on each other); the order holds either way.

-- The organisation's key: a bigint (the advisory key space apart from the two-integer keys of
-- migrate and migration 6), seeded with the audit table's oid so that two schemas of one
-- database do not share keys. The appends and the follower both call this function.
CREATE FUNCTION cloudmfa_audit_follow_key(p_org text)
  RETURNS bigint
  LANGUAGE sql
  STABLE
  SET search_path FROM CURRENT
AS $$
  SELECT hashtextextended(p_org, 'cloudmfa_audit'::regclass::oid::bigint)
$$;

CREATE OR REPLACE FUNCTION cloudmfa_audit_follow(p_org text, p_after bigint, p_limit integer)
  RETURNS TABLE (r_seq bigint, r_at bigint, r_kind text, r_enrolment_id text, r_user_id text, r_detail json)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
  SET lock_timeout = '200ms'
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(cloudmfa_audit_follow_key(p_org));
  -- A server still running a release from before this migration appends under migration 6's
  -- table-wide key, shared: wait for those appends too. No append of this release takes that
  -- key, so here followers only wait on each other, for one read each.
  PERFORM pg_advisory_xact_lock(1129138497, 'cloudmfa_audit'::regclass::oid::integer);
  -- A new statement: its snapshot is taken now, after every append holding a seq has ended.
  RETURN QUERY
  SELECT a.seq, a.at, a.kind, a.enrolment_id, a.user_id, a.detail
  FROM cloudmfa_audit AS a WHERE a.org = p_org AND a.seq > p_after ORDER BY a.seq LIMIT p_limit;
END
$$;
