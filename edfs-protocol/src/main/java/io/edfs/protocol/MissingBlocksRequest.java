package io.edfs.protocol;

import java.util.List;

/** Which of these blocks (lowercase hex SHA-256) does the server lack? */
public record MissingBlocksRequest(List<String> hashes) {}
