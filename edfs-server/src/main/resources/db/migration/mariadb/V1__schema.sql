-- edfs metadata, version 1 (DESIGN.md section 4), MariaDB/MySQL flavour: the same tables and
-- columns as every engine. InnoDB; all text is ASCII compared byte by byte, as on SQLite (ids,
-- usernames and hashes are ASCII). Indexed opaque bytes are VARBINARY; key material, up to
-- 64 KiB, is MEDIUMBLOB. Foreign keys are table constraints: MySQL ignores REFERENCES written
-- on a column.

CREATE TABLE users (
  id               CHAR(36)    NOT NULL PRIMARY KEY,
  username         VARCHAR(64) NOT NULL,
  auth_hash        VARBINARY(64)  NOT NULL,           -- HMAC-SHA256(server pepper, authKey)
  kdf_salt         VARBINARY(64)  NOT NULL,
  kdf_memory_kib   INTEGER     NOT NULL,
  kdf_iterations   INTEGER     NOT NULL,
  kdf_parallelism  INTEGER     NOT NULL,
  public_keys      MEDIUMBLOB        NOT NULL,
  private_keys_enc MEDIUMBLOB        NOT NULL,
  recovery_enc     MEDIUMBLOB,
  home_node_id     CHAR(36)    NOT NULL,           -- no FK: users and nodes reference each other
  quota_bytes      BIGINT      NOT NULL,
  used_bytes       BIGINT      NOT NULL DEFAULT 0, -- sum of the sizes of all kept versions
  created_at       BIGINT      NOT NULL,
  CONSTRAINT uq_users_username UNIQUE (username)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE sessions (
  token_hash VARBINARY(64) NOT NULL PRIMARY KEY,        -- SHA-256 of the bearer token
  user_id    CHAR(36) NOT NULL,
  created_at BIGINT   NOT NULL,
  expires_at BIGINT   NOT NULL,
  FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
CREATE INDEX ix_sessions_user ON sessions (user_id);
CREATE INDEX ix_sessions_expires ON sessions (expires_at);

CREATE TABLE nodes (
  id                 CHAR(36) NOT NULL PRIMARY KEY,
  parent_id          CHAR(36),   -- null for home folders
  owner_id           CHAR(36) NOT NULL,
  kind               CHAR(1)  NOT NULL CHECK (kind IN ('D', 'F')),
  enc_name           VARBINARY(512),                             -- null for home folders
  wrapped_key        MEDIUMBLOB     NOT NULL,
  current_version_id CHAR(36),                         -- no FK: versions reference nodes
  size               BIGINT   NOT NULL DEFAULT 0,
  created_at         BIGINT   NOT NULL,
  modified_at        BIGINT   NOT NULL,
  -- also the index for "children of a folder" (parent_id is its prefix)
  CONSTRAINT uq_nodes_parent_name UNIQUE (parent_id, enc_name),
  FOREIGN KEY (parent_id) REFERENCES nodes (id),
  FOREIGN KEY (owner_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
CREATE INDEX ix_nodes_owner ON nodes (owner_id);

CREATE TABLE blocks (
  hash       CHAR(64) NOT NULL PRIMARY KEY,
  length     BIGINT   NOT NULL,
  refs       BIGINT   NOT NULL DEFAULT 0,             -- version_blocks rows naming this block
  created_at BIGINT   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
-- for the garbage collector: unreferenced blocks, oldest first
CREATE INDEX ix_blocks_refs ON blocks (refs, created_at);

CREATE TABLE versions (
  id           CHAR(36) NOT NULL PRIMARY KEY,
  node_id      CHAR(36) NOT NULL,
  seq          BIGINT   NOT NULL,
  size         BIGINT   NOT NULL,
  segment_size INTEGER  NOT NULL,
  author_id    CHAR(36) NOT NULL,
  created_at   BIGINT   NOT NULL,
  -- also the index for "versions of a file"
  CONSTRAINT uq_versions_node_seq UNIQUE (node_id, seq),
  FOREIGN KEY (node_id) REFERENCES nodes (id),
  FOREIGN KEY (author_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE version_blocks (
  version_id CHAR(36) NOT NULL,
  idx        INTEGER  NOT NULL,
  block_hash CHAR(64) NOT NULL,
  length     BIGINT   NOT NULL,
  PRIMARY KEY (version_id, idx),
  FOREIGN KEY (version_id) REFERENCES versions (id),
  FOREIGN KEY (block_hash) REFERENCES blocks (hash)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
CREATE INDEX ix_version_blocks_block ON version_blocks (block_hash);

CREATE TABLE grants (
  node_id    CHAR(36) NOT NULL,
  grantee_id CHAR(36) NOT NULL,
  mode       CHAR(1)  NOT NULL CHECK (mode IN ('R', 'W')),
  sealed_key MEDIUMBLOB     NOT NULL,
  granted_by CHAR(36) NOT NULL,  -- the node's owner (only owners grant)
  created_at BIGINT   NOT NULL,
  PRIMARY KEY (node_id, grantee_id),
  FOREIGN KEY (node_id) REFERENCES nodes (id),
  FOREIGN KEY (grantee_id) REFERENCES users (id),
  FOREIGN KEY (granted_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
CREATE INDEX ix_grants_grantee ON grants (grantee_id);
CREATE INDEX ix_grants_granted_by ON grants (granted_by);

-- one background worker per cluster (GC, repair) holds a lease row
CREATE TABLE leases (
  name       VARCHAR(64)  NOT NULL PRIMARY KEY,
  holder     VARCHAR(128) NOT NULL,
  expires_at BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
