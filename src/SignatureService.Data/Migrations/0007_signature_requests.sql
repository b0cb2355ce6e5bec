-- 0007: EHR signature requests, their documents (the exact bytes that will be signed and shown), and the callback outbox.

CREATE TABLE signature_requests (
    id                 uuid        PRIMARY KEY,
    client_id          uuid        NOT NULL REFERENCES ehr_clients (id),
    signer_user_id     uuid        NOT NULL REFERENCES users (id),
    status             text        NOT NULL CHECK (status IN ('pending-approval', 'approved', 'signing', 'signed',
                                                              'rejected', 'cancelled', 'expired', 'failed')),
    document_count     integer     NOT NULL CHECK (document_count BETWEEN 1 AND 100),
    callback_url       text        NULL CHECK (length(callback_url) <= 2048),
    idempotency_key    text        NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash       bytea       NULL CHECK (length(request_hash) = 32),
    status_reason      text        NULL CHECK (length(status_reason) <= 500),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    CHECK (expires_at > created_at),
    CHECK ((idempotency_key IS NULL) = (request_hash IS NULL))
);
CREATE UNIQUE INDEX ux_signature_requests_idempotency ON signature_requests (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_signature_requests_client_created ON signature_requests (client_id, created_at DESC, id DESC);
CREATE INDEX ix_signature_requests_signer_status ON signature_requests (signer_user_id, status);
CREATE INDEX ix_signature_requests_pending_expiry ON signature_requests (expires_at) WHERE status = 'pending-approval';

CREATE TABLE signature_request_documents (
    id               uuid        PRIMARY KEY,
    request_id       uuid        NOT NULL REFERENCES signature_requests (id) ON DELETE CASCADE,
    ordinal          integer     NOT NULL CHECK (ordinal BETWEEN 1 AND 100),
    document_type    text        NOT NULL CHECK (document_type IN ('prescription', 'dispensing-record', 'death-certificate', 'postmortem-certificate')),
    document_id      text        NOT NULL CHECK (length(document_id) BETWEEN 1 AND 128),
    media_type       text        NOT NULL CHECK (length(media_type) BETWEEN 1 AND 100),
    content          bytea       NOT NULL CHECK (length(content) BETWEEN 1 AND 1048576),
    sha256           bytea       NOT NULL CHECK (length(sha256) = 32),
    summary          text        NOT NULL CHECK (length(summary) <= 500),
    display          jsonb       NOT NULL,
    signed_content   bytea       NULL,
    signed_at        timestamptz NULL,
    UNIQUE (request_id, ordinal)
);

-- Callbacks are written here in the same transaction as the state change they announce, then delivered by a dispatcher.
CREATE TABLE callback_outbox (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id       uuid        NOT NULL REFERENCES signature_requests (id) ON DELETE CASCADE,
    url              text        NOT NULL CHECK (length(url) <= 2048),
    event            text        NOT NULL CHECK (length(event) BETWEEN 1 AND 64),
    payload          jsonb       NOT NULL,
    status           text        NOT NULL CHECK (status IN ('pending', 'delivered', 'abandoned')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL,
    last_error       text        NULL CHECK (length(last_error) <= 500),
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz NULL
);
CREATE INDEX ix_callback_outbox_due ON callback_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_callback_outbox_request ON callback_outbox (request_id);

CREATE TABLE callback_deliveries (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id        bigint      NOT NULL REFERENCES callback_outbox (id) ON DELETE CASCADE,
    attempted_at     timestamptz NOT NULL,
    http_status      integer     NULL,
    error            text        NULL CHECK (length(error) <= 500),
    duration_ms      integer     NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX ix_callback_deliveries_outbox ON callback_deliveries (outbox_id);
