-- 0011: NIST SP 800-63A-4 IAL3 binds the first authenticator in the attended session or after a biometric re-match. An RA
-- operator attests one of the two shortly before the applicant binds; the binding refuses a nist-800-63a-4-ial3 application
-- without a fresh attestation.

ALTER TABLE proofing_applications
    ADD COLUMN binding_attestation     text        NULL CHECK (binding_attestation IN ('attended-session', 'biometric-rematch')),
    ADD COLUMN binding_attested_by     uuid        NULL REFERENCES users (id),
    ADD COLUMN binding_attested_at     timestamptz NULL,
    ADD COLUMN binding_sample_sha256   bytea       NULL CHECK (length(binding_sample_sha256) = 32),
    ADD CONSTRAINT proofing_applications_binding_attestation_complete
        CHECK ((binding_attestation IS NULL) = (binding_attested_by IS NULL) AND (binding_attestation IS NULL) = (binding_attested_at IS NULL)),
    ADD CONSTRAINT proofing_applications_binding_rematch_sample
        CHECK (binding_attestation IS DISTINCT FROM 'biometric-rematch' OR binding_sample_sha256 IS NOT NULL);
