-- 0001: keys the service keeps in the HSM, and the audit trail.
-- Note: applied inside one transaction by the migration runner; never edit an applied file, add a new one.

CREATE TABLE hsm_keys (
    id               uuid        PRIMARY KEY,
    purpose          text        NOT NULL CHECK (length(purpose) BETWEEN 1 AND 64),
    label            text        NOT NULL UNIQUE CHECK (length(label) BETWEEN 1 AND 128),
    ck_id            bytea       NOT NULL UNIQUE CHECK (length(ck_id) BETWEEN 1 AND 64),
    algorithm        text        NOT NULL CHECK (algorithm IN ('Rsa2048', 'Rsa3072', 'EcP256')),
    public_key_spki  bytea       NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE INDEX ix_hsm_keys_purpose ON hsm_keys (purpose);

CREATE TABLE audit_events (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL,
    actor_type   text        NOT NULL CHECK (length(actor_type) BETWEEN 1 AND 32),
    actor_id     text        NOT NULL CHECK (length(actor_id) BETWEEN 1 AND 128),
    action       text        NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    target_type  text        NULL CHECK (length(target_type) <= 64),
    target_id    text        NULL CHECK (length(target_id) <= 128),
    outcome      text        NOT NULL CHECK (outcome IN ('success', 'failure')),
    trace_id     text        NULL CHECK (length(trace_id) <= 64),
    details      jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX ix_audit_events_occurred_at ON audit_events (occurred_at);
CREATE INDEX ix_audit_events_target ON audit_events (target_type, target_id);
