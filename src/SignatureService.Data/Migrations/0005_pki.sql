-- 0005: the HPKI certificate authority: CA hierarchy, issued certificates, revocations, CRLs, the license registry and
-- signers' verified attributes. Private keys live in the HSM; rows reference hsm_keys only.

CREATE TABLE certificate_authorities (
    id                  uuid        PRIMARY KEY,
    name                text        NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9-]{0,31}$'),
    kind                text        NOT NULL CHECK (kind IN ('root', 'signing', 'authentication')),
    parent_id           uuid        NULL REFERENCES certificate_authorities (id),
    subject             text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 1024),
    serial_number       bytea       NOT NULL CHECK (length(serial_number) BETWEEN 1 AND 20),
    certificate_der     bytea       NOT NULL,
    key_id              uuid        NOT NULL REFERENCES hsm_keys (id),
    not_before          timestamptz NOT NULL,
    not_after           timestamptz NOT NULL,
    -- Note: last CRL number issued; incremented with UPDATE ... RETURNING, whose row lock serialises CRL generation per CA.
    crl_number          bigint      NOT NULL DEFAULT 0 CHECK (crl_number >= 0),
    created_at          timestamptz NOT NULL,
    CHECK ((kind = 'root') = (parent_id IS NULL))
);

CREATE TABLE certificates (
    id                  uuid        PRIMARY KEY,
    ca_id               uuid        NOT NULL REFERENCES certificate_authorities (id),
    kind                text        NOT NULL CHECK (kind IN ('ca', 'signer', 'authentication', 'ocsp-responder', 'timestamping')),
    serial_number       bytea       NOT NULL CHECK (length(serial_number) BETWEEN 1 AND 20),
    subject             text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 1024),
    issuer              text        NOT NULL CHECK (length(issuer) BETWEEN 1 AND 1024),
    user_id             uuid        NULL REFERENCES users (id),
    hc_role             text        NULL CHECK (length(hc_role) <= 64),
    key_id              uuid        NULL REFERENCES hsm_keys (id),
    not_before          timestamptz NOT NULL,
    not_after           timestamptz NOT NULL,
    status              text        NOT NULL CHECK (status IN ('good', 'revoked', 'on-hold')),
    der                 bytea       NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    UNIQUE (ca_id, serial_number),
    CHECK (kind <> 'signer' OR (user_id IS NOT NULL AND hc_role IS NOT NULL))
);
CREATE INDEX ix_certificates_user_id ON certificates (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX ix_certificates_serial_number ON certificates (serial_number);
CREATE INDEX ix_certificates_ca_status ON certificates (ca_id, status);

-- One row per revocation or suspension; a suspension lifted by resumption gets lifted_at. At most one open row per certificate.
CREATE TABLE revocations (
    id                  uuid        PRIMARY KEY,
    certificate_id      uuid        NOT NULL REFERENCES certificates (id),
    reason              smallint    NOT NULL CHECK (reason IN (0, 1, 2, 3, 4, 5, 6, 9, 10)),
    revoked_at          timestamptz NOT NULL,
    invalidity_date     timestamptz NULL,
    lifted_at           timestamptz NULL,
    CHECK (lifted_at IS NULL OR reason = 6)
);
CREATE UNIQUE INDEX ux_revocations_open ON revocations (certificate_id) WHERE lifted_at IS NULL;

CREATE TABLE crls (
    id                  uuid        PRIMARY KEY,
    ca_id               uuid        NOT NULL REFERENCES certificate_authorities (id),
    crl_number          bigint      NOT NULL CHECK (crl_number >= 1),
    this_update         timestamptz NOT NULL,
    next_update         timestamptz NOT NULL,
    entries             integer     NOT NULL CHECK (entries >= 0),
    der                 bytea       NOT NULL,
    UNIQUE (ca_id, crl_number),
    CHECK (next_update > this_update)
);

CREATE TABLE license_registry (
    id                  uuid        PRIMARY KEY,
    profession          text        NOT NULL CHECK (profession IN ('doctor', 'dentist', 'pharmacist')),
    license_number      text        NOT NULL CHECK (license_number ~ '^[0-9A-Za-z-]{1,20}$'),
    registration_date   date        NOT NULL,
    name                text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    date_of_birth       date        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('active', 'revoked')),
    imported_at         timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    UNIQUE (profession, license_number)
);

CREATE TABLE signer_attributes (
    id                  uuid        PRIMARY KEY,
    user_id             uuid        NOT NULL REFERENCES users (id),
    license_id          uuid        NOT NULL REFERENCES license_registry (id),
    profession          text        NOT NULL CHECK (profession IN ('doctor', 'dentist', 'pharmacist')),
    license_number      text        NOT NULL CHECK (length(license_number) BETWEEN 1 AND 20),
    hc_role             text        NOT NULL CHECK (length(hc_role) BETWEEN 1 AND 64),
    verified_at         timestamptz NOT NULL,
    verified_by         text        NOT NULL CHECK (length(verified_by) BETWEEN 1 AND 160),
    UNIQUE (user_id, profession)
);
CREATE INDEX ix_signer_attributes_license ON signer_attributes (license_id);
