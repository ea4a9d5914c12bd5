package io.edfs.protocol;

import java.util.List;

/** A list of grants. */
public record GrantList(List<GrantInfo> grants) {}
