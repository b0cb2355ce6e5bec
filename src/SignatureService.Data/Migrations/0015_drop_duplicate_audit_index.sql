-- ix_audit_events_target (target_type, target_id) dates from 0001; 0013 added ix_audit_events_target_id (target_id, id),
-- which serves every query the service makes by subject (GET /v1/audit/events?subject=…, newest first) and any by type and
-- subject as well, since a subject id names one thing. The older index only cost one more insertion per audit event: a
-- ten-document approval writes about a dozen events, each into seven indexes until now.
DROP INDEX IF EXISTS ix_audit_events_target;
