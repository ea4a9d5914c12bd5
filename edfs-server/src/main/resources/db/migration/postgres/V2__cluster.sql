-- edfs metadata, version 2: facts every node of a cluster must agree on, checked at start.
-- 'secret-check' is a MAC of a fixed text under the server secret (the password pepper): a node
-- started with another secret refuses to serve instead of rejecting every password. Not part of
-- a metadata dump: a node writes it when it first starts on a database.
CREATE TABLE cluster (
  name  VARCHAR(64)  NOT NULL PRIMARY KEY,
  value VARCHAR(255) NOT NULL
);
