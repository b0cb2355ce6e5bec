-- 0006: tamper-evident audit trail and the service's least-privilege runtime role.
--
-- Writers only INSERT into audit_events (in their own transaction, as before). A single sealer (one replica at a time, under an
-- advisory lock) later appends each committed event to audit_chain with the next position and
--   hash = SHA-256("signsvc-audit-v1" || position || previous hash || canonical form of the event),
-- and every N events or minutes appends a checkpoint over the chain head, signed with the HSM key of purpose audit-checkpoint.
-- Chain order is the order of sealing, not of ids, so ids consumed by rolled-back transactions and late commits need nothing.
-- All three tables are append-only: a trigger refuses UPDATE, DELETE and TRUNCATE for every role, the owner included.

-- Note: txid_current() of the inserting transaction lets the sealer skip everything older than the oldest transaction that was
-- still running at its previous pass, instead of anti-joining the whole trail every time.
ALTER TABLE audit_events ADD COLUMN xact_id bigint NOT NULL DEFAULT txid_current();
CREATE INDEX ix_audit_events_xact_id ON audit_events (xact_id);

CREATE TABLE audit_chain (
    position     bigint      PRIMARY KEY CHECK (position >= 1),
    event_id     bigint      NOT NULL UNIQUE,
    hash         bytea       NOT NULL CHECK (length(hash) = 32),
    sealed_at    timestamptz NOT NULL,
    -- Every event of a transaction with an id below this was sealed at or before this position (the sealer's resume point).
    sealed_below_xact bigint NOT NULL
);

CREATE TABLE audit_checkpoints (
    position     bigint      PRIMARY KEY CHECK (position >= 1),
    head_hash    bytea       NOT NULL CHECK (length(head_hash) = 32),
    created_at   timestamptz NOT NULL,
    key_id       uuid        NOT NULL REFERENCES hsm_keys (id),
    algorithm    text        NOT NULL CHECK (algorithm IN ('ES256')),
    signature    bytea       NOT NULL CHECK (length(signature) BETWEEN 1 AND 1024)
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The runtime role: a NOLOGIN group the service's login role is a member of (scripts/lib/setup.sh and the k8s secret create
-- the login role). Roles are cluster-wide, so creation tolerates an existing role (and a concurrent creator).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'signsvc_runtime') THEN
        CREATE ROLE signsvc_runtime NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO signsvc_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO signsvc_runtime;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO signsvc_runtime;
-- Tables and sequences later migrations create (run by the owner) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO signsvc_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO signsvc_runtime;
-- The audit trail: read and append only. schema_migrations is the migration job's business.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_chain, audit_checkpoints FROM signsvc_runtime;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM signsvc_runtime;
