package io.edfs.server.internal;

import java.util.HexFormat;

/**
 * A set of block hashes in 16 bytes each (the first 128 bits of the SHA-256, open addressing),
 * for comparing listings of millions of blocks in a small heap: a {@code HashSet<String>} takes
 * about ten times as much. Two different blocks agree in their first 128 bits with negligible
 * probability (about 2^-64 among billions of blocks). Not thread-safe.
 */
final class BlockHashSet {
  private long[] slots = new long[2 * 1024]; // pairs (high, low); (0, 0) marks an empty slot
  private int size;
  private boolean hasZero; // the one key an empty slot cannot hold

  /** Adds {@code hash} (64 lowercase hex characters); returns whether it was new. */
  boolean add(String hash) {
    long hi = HexFormat.fromHexDigitsToLong(hash, 0, 16);
    long lo = HexFormat.fromHexDigitsToLong(hash, 16, 32);
    if (hi == 0 && lo == 0) {
      boolean added = !hasZero;
      hasZero = true;
      return added;
    }
    if ((size + 1) * 4L > (slots.length / 2) * 3L) {
      grow();
    }
    boolean added = insert(slots, hi, lo);
    if (added) {
      size++;
    }
    return added;
  }

  boolean contains(String hash) {
    long hi = HexFormat.fromHexDigitsToLong(hash, 0, 16);
    long lo = HexFormat.fromHexDigitsToLong(hash, 16, 32);
    if (hi == 0 && lo == 0) {
      return hasZero;
    }
    int mask = slots.length / 2 - 1;
    for (int i = (int) hi & mask; ; i = (i + 1) & mask) {
      long h = slots[2 * i];
      long l = slots[2 * i + 1];
      if (h == 0 && l == 0) {
        return false;
      }
      if (h == hi && l == lo) {
        return true;
      }
    }
  }

  int size() {
    return size + (hasZero ? 1 : 0);
  }

  /** Inserts unless present; the hash is uniformly random, so its low bits index the table. */
  private static boolean insert(long[] table, long hi, long lo) {
    int mask = table.length / 2 - 1;
    for (int i = (int) hi & mask; ; i = (i + 1) & mask) {
      long h = table[2 * i];
      long l = table[2 * i + 1];
      if (h == 0 && l == 0) {
        table[2 * i] = hi;
        table[2 * i + 1] = lo;
        return true;
      }
      if (h == hi && l == lo) {
        return false;
      }
    }
  }

  private void grow() {
    long[] bigger = new long[slots.length * 2];
    for (int i = 0; i < slots.length; i += 2) {
      if (slots[i] != 0 || slots[i + 1] != 0) {
        insert(bigger, slots[i], slots[i + 1]);
      }
    }
    slots = bigger;
  }
}
