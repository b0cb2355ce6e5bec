-- 0008: approval transactions (the Signature Activation Data a signer approves on their security key) and the assertion
-- kept as activation evidence. A request that reached `approved` points at the transaction that approved it.

CREATE TABLE approval_transactions (
    id                      uuid        PRIMARY KEY,
    signer_user_id          uuid        NOT NULL REFERENCES users (id),
    nonce                   bytea       NOT NULL CHECK (length(nonce) = 32),
    -- The canonical encoding of the transaction (see SignatureActivationData) and its SHA-256, the WebAuthn challenge.
    encoding                bytea       NOT NULL CHECK (length(encoding) BETWEEN 1 AND 65536),
    challenge               bytea       NOT NULL CHECK (length(challenge) = 32),
    allowed_credential_ids  bytea[]     NOT NULL CHECK (cardinality(allowed_credential_ids) BETWEEN 1 AND 64),
    document_count          integer     NOT NULL CHECK (document_count BETWEEN 1 AND 100),
    created_at              timestamptz NOT NULL,
    expires_at              timestamptz NOT NULL,
    -- Set once, by the assertion that consumed the transaction (atomic conditional UPDATE: consumed_at IS NULL).
    consumed_at             timestamptz NULL,
    credential_row_id       uuid        NULL REFERENCES webauthn_credentials (id),
    credential_id           bytea       NULL CHECK (length(credential_id) BETWEEN 1 AND 1023),
    aaguid                  uuid        NULL,
    authenticator_data      bytea       NULL CHECK (length(authenticator_data) BETWEEN 37 AND 65536),
    client_data_json        bytea       NULL CHECK (length(client_data_json) BETWEEN 1 AND 16384),
    signature               bytea       NULL CHECK (length(signature) BETWEEN 1 AND 2048),
    user_handle             bytea       NULL CHECK (length(user_handle) <= 64),
    sign_count              bigint      NULL CHECK (sign_count BETWEEN 0 AND 4294967295),
    CHECK (expires_at > created_at),
    CHECK ((consumed_at IS NULL) = (credential_id IS NULL) AND (consumed_at IS NULL) = (authenticator_data IS NULL)
           AND (consumed_at IS NULL) = (client_data_json IS NULL) AND (consumed_at IS NULL) = (signature IS NULL)
           AND (consumed_at IS NULL) = (credential_row_id IS NULL) AND (consumed_at IS NULL) = (aaguid IS NULL)
           AND (consumed_at IS NULL) = (sign_count IS NULL))
);
CREATE INDEX ix_approval_transactions_signer ON approval_transactions (signer_user_id, created_at DESC);

-- One row per document the transaction covers: the digest the signer saw, re-checked at the assertion and before signing.
CREATE TABLE approval_transaction_documents (
    approval_id     uuid        NOT NULL REFERENCES approval_transactions (id) ON DELETE CASCADE,
    document_id     uuid        NOT NULL REFERENCES signature_request_documents (id),
    request_id      uuid        NOT NULL REFERENCES signature_requests (id),
    ordinal         integer     NOT NULL CHECK (ordinal BETWEEN 1 AND 100),
    document_type   text        NOT NULL CHECK (length(document_type) BETWEEN 1 AND 64),
    sha256          bytea       NOT NULL CHECK (length(sha256) = 32),
    PRIMARY KEY (approval_id, document_id)
);
CREATE INDEX ix_approval_transaction_documents_request ON approval_transaction_documents (request_id);

-- The link from a request (and so from each of its signed documents) to the approval that activated the signing.
ALTER TABLE signature_requests ADD COLUMN approval_id uuid NULL REFERENCES approval_transactions (id);
CREATE INDEX ix_signature_requests_approval ON signature_requests (approval_id) WHERE approval_id IS NOT NULL;
