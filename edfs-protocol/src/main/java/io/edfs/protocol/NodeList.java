package io.edfs.protocol;

import java.util.List;

/** The children of a folder (their versions carry no block lists). */
public record NodeList(List<NodeInfo> entries) {}
