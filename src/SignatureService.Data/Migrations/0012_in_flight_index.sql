-- 0012: requests approved or being signed are a small, moving set in a table that only grows. Every signing worker polls it
-- (ordered by updated_at) and the backlog sampler counts it every few seconds on every replica; a partial index keeps both
-- from scanning the whole table.

CREATE INDEX ix_signature_requests_in_flight ON signature_requests (updated_at) WHERE status IN ('approved', 'signing');
