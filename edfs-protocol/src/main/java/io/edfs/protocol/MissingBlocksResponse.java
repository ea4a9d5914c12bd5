package io.edfs.protocol;

import java.util.List;

/** The subset of the asked hashes the server does not have. */
public record MissingBlocksResponse(List<String> missing) {}
