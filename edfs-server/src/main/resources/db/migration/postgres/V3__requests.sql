-- edfs metadata, version 3: the idempotency keys of changes already applied, per user. A client
-- sends a random key with a change and the same key when it sends the change again after a lost
-- answer; a key found here means "done already", so the change is not applied a second time
-- (which could undo a later change). Kept for a day (created_at, the database's clock in ms),
-- then pruned by the background worker. Not part of a metadata dump.
CREATE TABLE requests (
  user_id     CHAR(36)    NOT NULL,
  request_key VARCHAR(64) NOT NULL,
  created_at  BIGINT      NOT NULL,
  PRIMARY KEY (user_id, request_key)
);
CREATE INDEX ix_requests_created ON requests (created_at);
