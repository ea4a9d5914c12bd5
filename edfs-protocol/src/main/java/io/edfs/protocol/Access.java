package io.edfs.protocol;

/** What the requesting user may do with a node. WRITE implies READ; OWNER implies both. */
public enum Access {
  READ,
  WRITE,
  OWNER;

  public boolean canWrite() {
    return this != READ;
  }
}
