-- 0004: AAL3 login with WebAuthn security keys: credentials, ceremony challenges, server-side sessions, enrollment codes.
-- Secrets (challenges, session tokens, enrollment codes) are stored as SHA-256 hashes only.

CREATE TABLE webauthn_credentials (
    id                  uuid        PRIMARY KEY,
    user_id             uuid        NOT NULL REFERENCES users (id),
    credential_id       bytea       NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 1 AND 1023),
    public_key          bytea       NOT NULL,
    algorithm           integer     NOT NULL,
    sign_count          bigint      NOT NULL CHECK (sign_count BETWEEN 0 AND 4294967295),
    aaguid              uuid        NOT NULL,
    attestation_format  text        NOT NULL,
    backup_eligible     boolean     NOT NULL,
    status              text        NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    nickname            text        NOT NULL CHECK (length(nickname) BETWEEN 1 AND 100),
    created_at          timestamptz NOT NULL,
    last_used_at        timestamptz NULL,
    status_changed_at   timestamptz NULL
);
CREATE INDEX ix_webauthn_credentials_user_id ON webauthn_credentials (user_id);

-- Note: single use is an atomic conditional UPDATE (consumed_at IS NULL AND expires_at > now); the payload lets a later
-- purpose (signature approval) bind what the challenge stands for (the Signature Activation Data inputs).
CREATE TABLE webauthn_challenges (
    id              uuid        PRIMARY KEY,
    challenge_hash  bytea       NOT NULL UNIQUE CHECK (length(challenge_hash) = 32),
    purpose         text        NOT NULL CHECK (purpose IN ('registration', 'login', 'signature-approval')),
    user_id         uuid        NULL REFERENCES users (id),
    payload         jsonb       NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    consumed_at     timestamptz NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX ix_webauthn_challenges_expires_at ON webauthn_challenges (expires_at);

CREATE TABLE user_sessions (
    id              uuid        PRIMARY KEY,
    token_hash      bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id         uuid        NOT NULL REFERENCES users (id),
    credential_id   uuid        NOT NULL REFERENCES webauthn_credentials (id),
    acr             text        NOT NULL CHECK (acr = 'aal3'),
    created_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    ended_at        timestamptz NULL,
    end_reason      text        NULL CHECK (end_reason IN ('logout', 'user-suspended', 'credential-suspended', 'credential-revoked'))
);
CREATE INDEX ix_user_sessions_user_id ON user_sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX ix_user_sessions_credential_id ON user_sessions (credential_id) WHERE ended_at IS NULL;

-- The enrollment id is the row id; the code (>= 128 bits) is shown once and only its hash is kept.
CREATE TABLE enrollment_codes (
    id               uuid        PRIMARY KEY,
    user_id          uuid        NOT NULL REFERENCES users (id),
    purpose          text        NOT NULL CHECK (purpose IN ('operator-enrollment', 'signer-enrollment')),
    code_hash        bytea       NOT NULL CHECK (length(code_hash) = 32),
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    consumed_at      timestamptz NULL,
    failed_attempts  integer     NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_at        timestamptz NULL,
    created_by       text        NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX ix_enrollment_codes_user_id ON enrollment_codes (user_id);
