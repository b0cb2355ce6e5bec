-- 0002: EHR systems that call the signing API, their public keys, and the JWT replay store.

CREATE TABLE ehr_clients (
    id                        uuid        PRIMARY KEY,
    client_id                 text        NOT NULL UNIQUE CHECK (client_id ~ '^[A-Za-z0-9._-]{3,64}$'),
    name                      text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status                    text        NOT NULL CHECK (status IN ('active', 'disabled')),
    allowed_callback_origins  text[]      NOT NULL DEFAULT '{}',
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL
);

CREATE TABLE ehr_client_keys (
    id          uuid        PRIMARY KEY,
    client_id   uuid        NOT NULL REFERENCES ehr_clients (id) ON DELETE CASCADE,
    kid         text        NOT NULL CHECK (length(kid) BETWEEN 1 AND 128),
    algorithm   text        NOT NULL CHECK (algorithm IN ('ES256', 'PS256', 'RS256')),
    public_jwk  jsonb       NOT NULL,
    status      text        NOT NULL CHECK (status IN ('active', 'retired')),
    created_at  timestamptz NOT NULL,
    retired_at  timestamptz NULL,
    UNIQUE (client_id, kid)
);

-- Note: one row per accepted token id until shortly after the token expires; a conflicting insert is a replay.
CREATE TABLE jwt_replay (
    issuer      text        NOT NULL,
    jti         text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX ix_jwt_replay_expires_at ON jwt_replay (expires_at);
