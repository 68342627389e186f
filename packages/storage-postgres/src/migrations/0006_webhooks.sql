-- Webhook delivery (docs/storage.md sections 7.1 and 7.2, issue 12 §7), per organisation like the
-- audit log it reads (migration 5).

-- audit.follow reads the log forward by seq and must never hand out a position that a row
-- committed later could sort before. Identity values are taken before commit, so a row with a
-- lower seq can become visible after one with a higher seq. So every append takes this table's
-- advisory lock in SHARED mode before it takes its seq (appends never wait on each other), and
-- the follower takes it EXCLUSIVE: when it holds it, every row that has a seq is committed or
-- rolled back, and every later append gets a higher seq. The follower waits at most
-- lock_timeout (appends queue behind it meanwhile), then fails and is tried again later.
CREATE FUNCTION cloudmfa_audit_follow(p_org text, p_after bigint, p_limit integer)
  RETURNS TABLE (r_seq bigint, r_at bigint, r_kind text, r_enrolment_id text, r_user_id text, r_detail json)
  LANGUAGE plpgsql
  VOLATILE
  SET search_path FROM CURRENT
  SET lock_timeout = '200ms'
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1129138497, 'cloudmfa_audit'::regclass::oid::integer);
  -- A new statement: its snapshot is taken now, after every append holding a seq has ended.
  RETURN QUERY
  SELECT a.seq, a.at, a.kind, a.enrolment_id, a.user_id, a.detail
  FROM cloudmfa_audit AS a WHERE a.org = p_org AND a.seq > p_after ORDER BY a.seq LIMIT p_limit;
END
$$;

CREATE INDEX cloudmfa_audit_follow ON cloudmfa_audit (org, seq);

-- One row per webhook endpoint of an organisation, written by compare-and-set on version.
CREATE TABLE cloudmfa_webhook_state (
  org         text COLLATE "C" NOT NULL,
  endpoint_id text COLLATE "C" NOT NULL,
  state       json   NOT NULL,
  version     bigint NOT NULL,
  updated_at  bigint NOT NULL,
  PRIMARY KEY (org, endpoint_id)
);
