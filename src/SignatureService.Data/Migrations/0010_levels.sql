-- 0010: signature levels. The EHR chooses ES-T (default), ES-XL or ES-A per request; each signed document records the level
-- it is stored at (ES-B only from a benchmark configuration), and an upgrade keeps the bytes it replaced (with their level) so the original signature stays provable.

ALTER TABLE signature_requests
    ADD COLUMN signature_level text NOT NULL DEFAULT 'ES-T' CHECK (signature_level IN ('ES-T', 'ES-XL', 'ES-A'));

ALTER TABLE signature_request_documents
    ADD COLUMN signature_level text NULL CHECK (signature_level IN ('ES-B', 'ES-T', 'ES-XL', 'ES-A', 'CAdES-B-T'));

-- Attachments (PDF), signed as detached CAdES.
ALTER TABLE signature_request_documents DROP CONSTRAINT signature_request_documents_document_type_check;
ALTER TABLE signature_request_documents ADD CONSTRAINT signature_request_documents_document_type_check
    CHECK (document_type IN ('prescription', 'dispensing-record', 'death-certificate', 'postmortem-certificate', 'attachment'));

-- Documents signed before this migration were ES-T.
UPDATE signature_request_documents SET signature_level = 'ES-T' WHERE signed_content IS NOT NULL;

CREATE TABLE signed_document_versions (
    id               uuid        PRIMARY KEY,
    document_id      uuid        NOT NULL REFERENCES signature_request_documents (id) ON DELETE CASCADE,
    signature_level  text        NOT NULL CHECK (signature_level IN ('ES-T', 'ES-XL', 'ES-A')),
    signed_content   bytea       NOT NULL,
    replaced_at      timestamptz NOT NULL
);
CREATE INDEX ix_signed_document_versions_document ON signed_document_versions (document_id, replaced_at);
