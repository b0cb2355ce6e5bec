-- Documents and their signed forms are compressed with lz4 instead of pglz, PostgreSQL's default. Measured on the signing
-- benchmark (docs/benchmarks.md), pglz compressing the signed XML as each document was stored took about 3 % of the machine's
-- CPU, which the HSM shares; lz4 takes a fraction of that for about the same size. Only values written from now on are
-- affected. A server built without lz4 keeps pglz (the statement is skipped, not failed).
DO $$
BEGIN
    ALTER TABLE signature_request_documents
        ALTER COLUMN content SET COMPRESSION lz4,
        ALTER COLUMN signed_content SET COMPRESSION lz4;
    ALTER TABLE signed_document_versions
        ALTER COLUMN signed_content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available on this server; documents stay compressed with pglz';
END
$$;
