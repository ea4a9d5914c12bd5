package io.edfs.protocol;

import java.util.List;

/**
 * Creates up to {@link #MAX_NODES} nodes in one folder in one transaction: what copying a tree of
 * small files needs, one request and one commit for many files instead of one each. Each node is
 * created exactly as {@code POST /v1/nodes} would create it; if any of them cannot be, none is.
 * The answer is a {@link NodeList} in the order of {@code nodes}.
 */
public record CreateBatchRequest(List<CreateNodeRequest> nodes) {
  /** The most nodes one batch creates. */
  public static final int MAX_NODES = 100;

  /** The most inline content bytes one batch carries (their base64 fits the batch's body limit). */
  public static final int MAX_INLINE_TOTAL = 3 * 1024 * 1024;

  /** The largest JSON body of a batch: its inline content in base64, and room for the rest. */
  public static final int MAX_BODY_BYTES = 6 * 1024 * 1024;
}
