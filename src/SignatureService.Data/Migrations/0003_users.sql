-- 0003: people who use the service: signers (physicians, dentists, pharmacists) and operators.
-- Roles: signer, ra-operator, ca-operator, auditor. Feature tables reference users(id).

CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    display_name  text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    status        text        NOT NULL CHECK (status IN ('pending', 'active', 'suspended')),
    roles         text[]      NOT NULL CHECK (roles <@ ARRAY['signer', 'ra-operator', 'ca-operator', 'auditor']::text[]),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX ix_users_roles ON users USING gin (roles);
