-- 0013: auditors browse the trail by action (exact or prefix), actor or subject, newest first (GET /v1/audit/events). Without
-- these a rare filter scans the whole table: measured on 1,000,000 events, 53-86 ms per page before, 0.3-1.4 ms after.
-- text_pattern_ops lets the action prefix filter (LIKE 'certificate.%') use the index whatever the database collation.

CREATE INDEX ix_audit_events_action_id ON audit_events (action text_pattern_ops, id);
CREATE INDEX ix_audit_events_actor_id ON audit_events (actor_id, id);
CREATE INDEX ix_audit_events_target_id ON audit_events (target_id, id);
