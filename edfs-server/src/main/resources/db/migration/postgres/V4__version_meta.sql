-- edfs metadata, version 4: each version may carry metadata the client encrypted and bound to the
-- file and version (its file's modification time, its content's SHA-256; format v1, "Version
-- metadata"). The server stores it and hands it back; it cannot read it. NULL: none.
ALTER TABLE versions ADD COLUMN meta BYTEA;
