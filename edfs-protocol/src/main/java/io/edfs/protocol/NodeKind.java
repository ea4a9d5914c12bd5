package io.edfs.protocol;

/** Folder or file. Serialized as {@code "D"} / {@code "F"}. */
public enum NodeKind {
  D,
  F
}
