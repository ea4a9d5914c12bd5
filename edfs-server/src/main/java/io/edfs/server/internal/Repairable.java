package io.edfs.server.internal;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * A block store that can repair itself (a mirror copies the blocks one side lacks from the other).
 * The cluster's background worker calls {@link #repair} after each garbage collection round, on the
 * one node that holds the maintenance lease, when the store implements this interface.
 */
interface Repairable {
  /**
   * Repairs what it can and logs one line saying what it found and did: counts and sizes only,
   * never a name, a credential or content. Should stop soon after {@code keepGoing} turns false
   * (the node lost the lease or is stopping), where it can: another node carries on.
   *
   * @throws IOException if repair fails; the next round tries again
   */
  void repair(BooleanSupplier keepGoing) throws IOException;
}
