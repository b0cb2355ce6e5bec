-- 0009: identity proofing at IAL3 (issue 5): applications recorded by RA operators, their evidence items, the
-- qualification check at registration, dual control, and the enrollment code that binds the signer's first key.
-- Personal data (basic four facts, contact, evidence references) sits in nullable columns so that the retention purge can
-- erase it while the row, its decisions and the audit trail stay.

CREATE TABLE proofing_applications (
    id                          uuid        PRIMARY KEY,
    status                      text        NOT NULL CHECK (status IN ('recorded', 'verified', 'approved', 'rejected', 'enrolled')),
    profile                     text        NOT NULL CHECK (profile IN ('nist-800-63a-4-ial3', 'mhlw-guideline')),
    route                       text        NOT NULL CHECK (route IN ('in-person', 'attended-remote', 'online-my-number-card', 'mail')),
    purpose                     text        NOT NULL CHECK (purpose IN ('initial', 're-proofing-expiry', 're-proofing-key-loss')),
    subject_user_id             uuid        NULL REFERENCES users (id),
    -- The basic four facts and contact (personal data: NULL after the purge).
    family_name                 text        NULL CHECK (length(family_name) BETWEEN 1 AND 50),
    given_name                  text        NULL CHECK (length(given_name) BETWEEN 1 AND 50),
    family_name_kana            text        NULL CHECK (length(family_name_kana) BETWEEN 1 AND 50),
    given_name_kana             text        NULL CHECK (length(given_name_kana) BETWEEN 1 AND 50),
    name_romaji                 text        NULL CHECK (length(name_romaji) BETWEEN 1 AND 64),
    date_of_birth               date        NULL,
    sex                         smallint    NULL CHECK (sex IN (1, 2, 9)),
    postal_code                 text        NULL CHECK (postal_code ~ '^[0-9]{3}-[0-9]{4}$'),
    address                     text        NULL CHECK (length(address) BETWEEN 1 AND 200),
    phone                       text        NULL CHECK (length(phone) BETWEEN 1 AND 20),
    email                       text        NULL CHECK (length(email) BETWEEN 3 AND 254),
    -- The qualification, checked against the license registry at registration.
    profession                  text        NOT NULL CHECK (profession IN ('doctor', 'dentist', 'pharmacist')),
    license_number              text        NULL CHECK (license_number ~ '^[0-9A-Za-z-]{1,20}$'),
    license_registration_date   date        NULL,
    license_id                  uuid        NULL REFERENCES license_registry (id),
    license_check               text        NOT NULL CHECK (license_check IN ('matched')),
    license_checked_at          timestamptz NOT NULL,
    facility_name               text        NULL CHECK (length(facility_name) BETWEEN 1 AND 64),
    facility_name_romaji        text        NULL CHECK (length(facility_name_romaji) BETWEEN 1 AND 64),
    -- Verification (the first RA operator) and decision (a second one).
    biometric_consent           boolean     NOT NULL DEFAULT false,
    biometric_reference_sha256  bytea       NULL CHECK (length(biometric_reference_sha256) = 32),
    postal_notification_sent_at timestamptz NULL,
    achieved_ial                smallint    NULL CHECK (achieved_ial BETWEEN 1 AND 3),
    verified_by                 uuid        NULL REFERENCES users (id),
    verified_at                 timestamptz NULL,
    decided_by                  uuid        NULL REFERENCES users (id),
    decided_at                  timestamptz NULL,
    rejection_reason            text        NULL CHECK (length(rejection_reason) BETWEEN 1 AND 500),
    enrollment_id               uuid        NULL UNIQUE REFERENCES enrollment_codes (id),
    certificate_id              uuid        NULL REFERENCES certificates (id),
    enrolled_at                 timestamptz NULL,
    created_by                  uuid        NOT NULL REFERENCES users (id),
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    closed_at                   timestamptz NULL,
    personal_data_purged_at     timestamptz NULL,
    CHECK ((status IN ('verified', 'approved', 'enrolled')) <= (verified_by IS NOT NULL AND achieved_ial IS NOT NULL)),
    CHECK ((status IN ('approved', 'rejected', 'enrolled')) = (decided_by IS NOT NULL)),
    -- Note: dual control is also a database rule, so no code path can let the verifier approve.
    CHECK (decided_by IS NULL OR status = 'rejected' OR decided_by <> verified_by),
    CHECK ((status = 'enrolled') = (enrolled_at IS NOT NULL)),
    CHECK (personal_data_purged_at IS NULL OR closed_at IS NOT NULL)
);
CREATE INDEX ix_proofing_applications_status ON proofing_applications (status);
CREATE INDEX ix_proofing_applications_subject ON proofing_applications (subject_user_id) WHERE subject_user_id IS NOT NULL;
CREATE INDEX ix_proofing_applications_closed ON proofing_applications (closed_at) WHERE personal_data_purged_at IS NULL;

-- Raw scans are never stored: only their SHA-256. Document numbers are kept masked plus an HMAC-SHA-256 under a key
-- from the deployment's secret file, so a number can be matched again without being readable from the database.
CREATE TABLE proofing_evidence (
    id                  uuid        PRIMARY KEY,
    application_id      uuid        NOT NULL REFERENCES proofing_applications (id) ON DELETE CASCADE,
    kind                text        NOT NULL CHECK (kind IN ('my-number-card', 'drivers-licence', 'passport', 'residence-card',
                                        'health-insurance-card', 'pension-book', 'resident-record', 'seal-registration-certificate', 'jpki-signature')),
    strength            text        NOT NULL CHECK (strength IN ('superior', 'strong', 'fair')),
    issuer              text        NOT NULL CHECK (length(issuer) BETWEEN 1 AND 100),
    number_masked       text        NULL CHECK (length(number_masked) BETWEEN 1 AND 40),
    number_hash         bytea       NULL CHECK (length(number_hash) = 32),
    expires_on          date        NULL,
    scan_sha256         bytea       NULL CHECK (length(scan_sha256) = 32),
    validation_method   text        NOT NULL CHECK (validation_method IN ('visual-inspection', 'ic-chip-read', 'signature-verification', 'issuer-confirmation')),
    validated_by        uuid        NOT NULL REFERENCES users (id),
    validated_at        timestamptz NOT NULL,
    CHECK ((number_masked IS NULL) = (number_hash IS NULL))
);
CREATE INDEX ix_proofing_evidence_application ON proofing_evidence (application_id);
CREATE INDEX ix_proofing_evidence_number_hash ON proofing_evidence (number_hash) WHERE number_hash IS NOT NULL;
