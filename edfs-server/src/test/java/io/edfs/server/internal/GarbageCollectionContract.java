package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.ErrorType;
import io.edfs.protocol.MissingBlocksRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.server.internal.VersionStore.BlockRow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What garbage collection and the maintenance lease must do on every engine (one subclass per
 * engine): the real services and a real block store, without HTTP. Time passes by moving a block's
 * grace start ({@code blocks.created_at}) or an object's modification time into the past.
 */
abstract class GarbageCollectionContract extends ServiceFixture {
  static final Duration GRACE = Duration.ofHours(1);
  static final Duration LONG_AGO = GRACE.multipliedBy(2);

  /** How long the concurrent uploads run against the collectors. */
  static final Duration STRESS = Duration.ofSeconds(8);

  @Nested
  @DisplayName("an unreferenced block")
  class Unreferenced {
    @Test
    @DisplayName("is removed, row and object, only once the grace period is over")
    void removedAfterGrace() throws Exception {
      BlockRef b = block(300);
      collect(GRACE);
      assertStored(b);
      age(b);
      GarbageCollector.Round round = collect(GRACE);
      assertGone(b);
      assertThat(round.doomed()).isGreaterThanOrEqualTo(1);
      assertThat(round.deleted()).isGreaterThanOrEqualTo(1);
      assertThat(round.bytesFreed()).isGreaterThanOrEqualTo(300);
    }

    @Test
    @DisplayName("has its grace period start again when its last reference goes")
    void graceFromLastReference() throws Exception {
      User alice = signup("alice");
      BlockRef b = block(300);
      age(b);
      NodeInfo f = file(alice, alice.home(), "f", b);
      age(b);
      collect(GRACE);
      assertStored(b);
      tree.delete(alice.id(), f.id(), false);
      collect(GRACE);
      assertStored(b);
      assertThat(row(b).orElseThrow().refs()).isZero();
      age(b);
      collect(GRACE);
      assertGone(b);
    }

    @Test
    @DisplayName("is never doomed by a delete when its refs count was already too low")
    void countTooLow() throws Exception {
      User alice = signup("alice");
      BlockRef b = block(300);
      NodeInfo f = file(alice, alice.home(), "f", b);
      setRefs(b, 0);
      try {
        assertThatThrownBy(() -> tree.delete(alice.id(), f.id(), false))
            .hasStackTraceContaining("refs of block " + b.hash() + " cannot change by -1");
        assertThat(row(b).orElseThrow().refs()).as("left as it was, not doomed").isZero();
        assertThat(tree.get(alice.id(), f.id()).id()).as("not deleted").isEqualTo(f.id());
      } finally {
        setRefs(b, 1);
      }
      tree.delete(alice.id(), f.id(), false);
      assertThat(row(b).orElseThrow().refs()).isZero();
    }

    @Test
    @DisplayName("is kept when uploaded again, or asked about, during the grace period")
    void keptWhenUsedAgain() throws Exception {
      BlockRef uploaded = block(300);
      BlockRef asked = block(400);
      age(uploaded);
      age(asked);
      assertThat(put(uploaded)).as("stored already").isFalse();
      assertThat(blocks.missing(new MissingBlocksRequest(List.of(asked.hash()))).missing())
          .isEmpty();
      collect(GRACE);
      assertStored(uploaded);
      assertStored(asked);
    }
  }

  @Test
  @DisplayName("housekeeping deletes idempotency keys older than they are kept, and only those")
  void requestKeysPruned() throws Exception {
    User alice = signup("alice");
    User bob = signup("bob");
    RequestKeys keys = new RequestKeys(db);
    db.write(
        c -> {
          keys.record(c, alice.id(), "old-key-of-alice-0001");
          keys.record(c, bob.id(), "old-key-of-bob-000001");
          return null;
        });
    Thread.sleep(20);
    assertThat(keys.prune(Duration.ofMinutes(1))).as("younger than a minute: kept").isZero();
    assertThat(keys.prune(Duration.ofMillis(5))).isEqualTo(2);
    db.write(
        c -> {
          keys.record(c, alice.id(), "new-key-of-alice-0001");
          return null;
        });
    assertThat(keys.prune(Duration.ofMinutes(1))).isZero();
    boolean newKept = db.read(c -> keys.seen(c, alice.id(), "new-key-of-alice-0001"));
    boolean oldKept = db.read(c -> keys.seen(c, alice.id(), "old-key-of-alice-0001"));
    boolean bobs = db.read(c -> keys.seen(c, bob.id(), "new-key-of-alice-0001"));
    assertThat(newKept).isTrue();
    assertThat(oldKept).isFalse();
    assertThat(bobs).as("keys are per user").isFalse();
  }

  @Test
  @DisplayName("never removes a referenced block, whatever its age")
  void referencedKept() throws Exception {
    User alice = signup("alice");
    BlockRef b = block(300);
    file(alice, alice.home(), "f", b);
    age(b);
    collect(Duration.ZERO);
    assertStored(b);
    assertThat(row(b).orElseThrow().refs()).isOne();
  }

  @Test
  @DisplayName(
      "treats a doomed block as absent: missing says so, a commit fails, an upload stores it"
          + " afresh")
  void doomedIsAbsent() throws Exception {
    User alice = signup("alice");
    BlockRef b = block(300);
    age(b);
    boolean doomed = db.write(c -> versions.doom(c, b.hash(), GRACE.toMillis()));
    assertThat(doomed).isTrue();

    assertThat(blocks.missing(new MissingBlocksRequest(List.of(b.hash()))).missing())
        .containsExactly(b.hash());
    assertThatThrownBy(() -> file(alice, alice.home(), "f", b))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.type()).isEqualTo(ErrorType.MISSING_BLOCKS);
              assertThat(e.getMessage()).contains(b.hash()).contains("upload the content again");
            });
    assertThat(row(b).orElseThrow().doomed()).isTrue();

    assertThat(put(b)).as("stored afresh").isTrue();
    assertThat(row(b).orElseThrow().refs()).isZero();
    assertStored(b);
    file(alice, alice.home(), "f", b);
    assertThat(row(b).orElseThrow().refs()).isOne();
  }

  @Test
  @DisplayName(
      "fails an upload, keeping no row, when another copy of its block is collected while it is"
          + " stored")
  void collectedWhileStored() throws Exception {
    byte[] data = random(700);
    BlockRef b = new BlockRef(sha256(data), data.length);
    // while our upload is in the store's put (the block stored, the row not yet recorded),
    // another upload of the same block records it, and a collector dooms and deletes that copy:
    // the same object as ours
    Blocks slow =
        new Blocks(
            db,
            versions,
            new AfterPut(
                store,
                () -> {
                  assertThat(put(data)).isEqualTo(b);
                  age(b);
                  collect(GRACE);
                  assertThat(row(b)).isEmpty();
                }));
    assertThatThrownBy(() -> slow.put(b.hash(), data.length, () -> new ByteArrayInputStream(data)))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.UNAVAILABLE))
        .hasMessageContaining("send it again");
    assertThat(row(b)).as("no row for a block the store lost").isEmpty();
    assertThat(put(data)).isEqualTo(b);
    assertStored(b);
  }

  @Test
  @DisplayName("adopts a stored block without a row once it is old, and removes it a grace later")
  void orphans() throws Exception {
    byte[] data = random(500);
    BlockRef orphan = new BlockRef(sha256(data), data.length);
    store.put(orphan.hash(), data.length, new ByteArrayInputStream(data));
    collect(GRACE);
    assertThat(row(orphan)).as("too young to adopt").isEmpty();
    ageObject(orphan);
    GarbageCollector.Round round = collect(GRACE);
    assertThat(round.adopted()).isGreaterThanOrEqualTo(1);
    assertStored(orphan);
    assertThat(row(orphan).orElseThrow().refs()).isZero();
    age(orphan);
    collect(GRACE);
    assertGone(orphan);
  }

  @Test
  @DisplayName("deletes and adopts nothing when the store's listing fails part way")
  void listingFails() throws Exception {
    BlockRef garbage = block(300);
    age(garbage);
    byte[] data = random(500);
    BlockRef orphan = new BlockRef(sha256(data), data.length);
    store.put(orphan.hash(), data.length, new ByteArrayInputStream(data));
    ageObject(orphan);
    GarbageCollector failing =
        new GarbageCollector(db, versions, blocks, new ListingFails(store), GRACE);
    assertThatThrownBy(() -> failing.collect(() -> true))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("listing failed");
    assertStored(garbage);
    assertThat(row(garbage).orElseThrow().refs()).isZero();
    assertThat(row(orphan)).isEmpty();

    collect(GRACE); // a healthy listing: the round goes ahead
    assertGone(garbage);
    assertThat(row(orphan)).isPresent();
  }

  @Test
  @DisplayName("concurrent uploads during GC never lose a committed block (many rounds)")
  void concurrentUploads() throws Exception {
    int threads = 8;
    List<User> owners = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      owners.add(signup("gc"));
    }
    // blocks every thread uploads now and then: the same hashes again and again
    List<byte[]> shared = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      shared.add(random(1000 + i));
    }
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger rounds = new AtomicInteger();
    AtomicLong deleted = new AtomicLong();
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
    try {
      List<Future<?>> collectors = new ArrayList<>();
      for (int n = 0; n < 2; n++) { // two nodes' collectors at once, as when a lease changes hands
        GarbageCollector gc = new GarbageCollector(db, versions, blocks, store, Duration.ZERO);
        collectors.add(
            pool.submit(
                () -> {
                  while (running.get()) {
                    deleted.addAndGet(gc.collect(running::get).deleted());
                    rounds.incrementAndGet();
                  }
                  return null;
                }));
      }
      List<Future<?>> writers = new ArrayList<>();
      long end = System.nanoTime() + STRESS.toNanos();
      for (int t = 0; t < threads; t++) {
        User owner = owners.get(t);
        SplittableRandom rnd = new SplittableRandom(t);
        writers.add(
            pool.submit(
                () -> {
                  List<NodeInfo> files = new ArrayList<>();
                  while (System.nanoTime() - end < 0) {
                    try {
                      files.add(writeOnce(owner, rnd, shared, files));
                      outcomes.computeIfAbsent("committed", k -> new AtomicInteger()).incrementAndGet();
                    } catch (ApiException e) {
                      if (e.type() != ErrorType.MISSING_BLOCKS && e.type() != ErrorType.UNAVAILABLE) {
                        unexpected.add(e);
                      }
                      outcomes.computeIfAbsent(e.type().slug(), k -> new AtomicInteger()).incrementAndGet();
                    } catch (Exception | AssertionError e) {
                      unexpected.add(e);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> w : writers) {
        w.get(STRESS.toSeconds() + 60, TimeUnit.SECONDS);
      }
      running.set(false);
      for (Future<?> c : collectors) {
        c.get(60, TimeUnit.SECONDS);
      }
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
    System.out.printf(
        "%s: %s; %d collector rounds deleted %d blocks%n", engine(), outcomes, rounds.get(), deleted.get());
    assertThat(unexpected).as("unexpected failures").isEmpty();
    assertThat(outcomes.get("committed")).as("outcomes %s", outcomes).isNotNull();
    assertThat(outcomes.get("committed").get()).as("outcomes %s", outcomes).isGreaterThan(20);
    assertThat(deleted.get()).as("blocks the collectors deleted").isPositive();
    assertThat(rounds.get()).as("rounds").isGreaterThan(10);
    assertEveryListedBlockStored();
    assertEveryLiveRowStored();
  }

  @Nested
  @DisplayName("the maintenance lease")
  class Leases {
    @Test
    @DisplayName("has one holder at a time, who renews it, gives it up, or lets it expire")
    void oneHolder() throws Exception {
      String name = "test-" + UUID.randomUUID();
      Lease a = new Lease(db, name, "a");
      Lease b = new Lease(db, name, "b");
      Duration ttl = Duration.ofSeconds(1);
      assertThat(a.acquire(ttl)).isTrue();
      assertThat(b.acquire(ttl)).isFalse();
      assertThat(a.acquire(ttl)).as("renewed").isTrue();
      assertThat(a.currentHolder()).contains("a");
      a.release();
      assertThat(a.currentHolder()).isEmpty();
      assertThat(b.acquire(ttl)).isTrue();
      assertThat(a.acquire(ttl)).isFalse();
      Thread.sleep(ttl.toMillis() + 100);
      assertThat(b.currentHolder()).as("expired").isEmpty();
      assertThat(a.acquire(ttl)).isTrue();
    }

    @Test
    @DisplayName("goes to exactly one of many nodes asking at once")
    void race() throws Exception {
      String name = "test-" + UUID.randomUUID();
      List<java.util.concurrent.Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Lease l = new Lease(db, name, "node-" + i);
        tasks.add(() -> l.acquire(Duration.ofMinutes(1)));
      }
      List<Race.Outcome<Boolean>> outcomes = Race.run(tasks);
      assertThat(outcomes).allMatch(Race.Outcome::won);
      assertThat(outcomes.stream().filter(Race.Outcome::value).count()).as("holders").isOne();
    }

    @Test
    @DisplayName("lets one of two workers work, and the other take over when it stops")
    void handOver() throws Exception {
      Duration ttl = Duration.ofSeconds(1);
      AtomicInteger repairs = new AtomicInteger();
      Repairable repair = keepGoing -> repairs.incrementAndGet();
      GarbageCollector gc = new GarbageCollector(db, versions, blocks, store, GRACE);
      // a lease of its own, so that servers of other tests never compete for it
      String name = "test-" + UUID.randomUUID();
      Maintenance one =
          new Maintenance(new Lease(db, name, "one"), ttl, ttl, gc, Optional.of(repair), Optional.empty());
      Maintenance two =
          new Maintenance(new Lease(db, name, "two"), ttl, ttl, gc, Optional.of(repair), Optional.empty());
      try {
        one.start();
        two.start();
        awaitTrue(() -> one.working() || two.working(), Duration.ofSeconds(5));
        Maintenance holder = one.working() ? one : two;
        Maintenance other = holder == one ? two : one;
        Thread.sleep(ttl.toMillis());
        assertThat(holder.working()).isTrue();
        assertThat(other.working()).isFalse();
        awaitTrue(() -> repairs.get() > 0, Duration.ofSeconds(5));
        holder.close();
        awaitTrue(other::working, ttl.multipliedBy(2));
      } finally {
        one.close();
        two.close();
      }
    }
  }

  // ---- helpers ----

  GarbageCollector.Round collect(Duration grace) throws IOException {
    return new GarbageCollector(db, versions, blocks, store, grace).collect(() -> true);
  }

  /** One thread's step of the concurrent test; returns the file written, or throws. */
  private NodeInfo writeOnce(
      User owner, SplittableRandom rnd, List<byte[]> shared, List<NodeInfo> files)
      throws Exception {
    int what = rnd.nextInt(10);
    if (what == 0 && !files.isEmpty()) {
      NodeInfo gone = files.remove(rnd.nextInt(files.size()));
      tree.delete(owner.id(), gone.id(), false);
    }
    if (what == 1) {
      put(random(200 + rnd.nextInt(500))); // uploaded, never committed
    }
    List<BlockRef> content = new ArrayList<>();
    for (int i = rnd.nextInt(1, 4); i > 0; i--) {
      byte[] data = rnd.nextInt(3) == 0 ? shared.get(rnd.nextInt(shared.size())) : random(100 + rnd.nextInt(2000));
      content.add(put(data));
    }
    if (what == 2 && !files.isEmpty()) {
      NodeInfo f = files.remove(rnd.nextInt(files.size()));
      return tree.commit(owner.id(), f.id(), commit(f.version().id(), content.toArray(BlockRef[]::new)));
    }
    if (what == 3) {
      byte[] data = rnd.nextBoolean() ? shared.get(rnd.nextInt(shared.size())) : random(300);
      CommitRequest small =
          new CommitRequest(
              UUID.randomUUID(),
              null,
              data.length,
              SEGMENT,
              List.of(new BlockRef(sha256(data), data.length)),
              data);
      blocks.storeInline(small);
      return tree.create(
              owner.id(),
              new io.edfs.protocol.CreateNodeRequest(
                  UUID.randomUUID(),
                  owner.home(),
                  io.edfs.protocol.NodeKind.F,
                  name("s" + UUID.randomUUID()),
                  key(),
                  small))
          .node();
    }
    return file(owner, owner.home(), "f" + UUID.randomUUID(), content.toArray(BlockRef[]::new));
  }

  /** Uploads {@code data} as a block (it may be stored already). */
  BlockRef put(byte[] data) throws Exception {
    BlockRef b = new BlockRef(sha256(data), data.length);
    blocks.put(b.hash(), data.length, () -> new ByteArrayInputStream(data));
    return b;
  }

  /** Uploads block {@code b} again: its content is in the store. */
  boolean put(BlockRef b) throws Exception {
    byte[] data;
    try (InputStream in = store.open(b.hash(), 0)) {
      data = in.readAllBytes();
    }
    return blocks.put(b.hash(), data.length, () -> new ByteArrayInputStream(data));
  }

  Optional<BlockRow> row(BlockRef b) {
    return db.read(c -> versions.blockRow(c, b.hash(), false));
  }

  /** Sets {@code b}'s refs count, right or wrong. */
  void setRefs(BlockRef b, long refs) {
    db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE blocks SET refs = ? WHERE hash = ?")) {
            ps.setLong(1, refs);
            ps.setString(2, b.hash());
            assertThat(ps.executeUpdate()).isOne();
          }
          return null;
        });
  }

  /** Moves the start of {@code b}'s grace period back by more than the grace period. */
  void age(BlockRef b) {
    db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE blocks SET created_at = created_at - ? WHERE hash = ?")) {
            ps.setLong(1, LONG_AGO.toMillis());
            ps.setString(2, b.hash());
            assertThat(ps.executeUpdate()).isOne();
          }
          return null;
        });
  }

  /** Makes the stored object of {@code b} look older than the grace period. */
  void ageObject(BlockRef b) throws IOException {
    Files.setLastModifiedTime(
        ((DiskBlockStore) store).path(b.hash()), FileTime.from(Instant.now().minus(LONG_AGO)));
  }

  void assertStored(BlockRef b) throws Exception {
    assertThat(row(b)).as("row of %s", b.hash()).isPresent();
    assertThat(row(b).orElseThrow().doomed()).as("%s doomed", b.hash()).isFalse();
    assertHashes(b.hash(), b.length());
  }

  void assertGone(BlockRef b) throws IOException {
    assertThat(row(b)).as("row of %s", b.hash()).isEmpty();
    assertThat(store.contains(b.hash())).as("%s in the store", b.hash()).isFalse();
  }

  /** The store holds block {@code hash}, {@code length} bytes that hash to it. */
  void assertHashes(String hash, long length) throws Exception {
    assertThat(store.contains(hash)).as("%s in the store", hash).isTrue();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long n = 0;
    try (InputStream in = store.open(hash, 0)) {
      byte[] buf = new byte[8192];
      for (int r; (r = in.read(buf)) != -1; ) {
        sha.update(buf, 0, r);
        n += r;
      }
    }
    assertThat(n).as("length of %s", hash).isEqualTo(length);
    assertThat(HexFormat.of().formatHex(sha.digest())).as("hash of stored %s", hash).isEqualTo(hash);
  }

  /** Every block some version lists is in the store, whole. */
  void assertEveryListedBlockStored() throws Exception {
    for (BlockRow b : rows("SELECT DISTINCT b.hash, b.length, b.refs, b.created_at FROM blocks b"
        + " JOIN version_blocks vb ON vb.block_hash = b.hash")) {
      assertThat(b.refs()).as("refs of listed block %s", b.hash()).isPositive();
      assertHashes(b.hash(), b.length());
    }
    assertThat(count("SELECT COUNT(*) FROM version_blocks vb WHERE NOT EXISTS"
        + " (SELECT 1 FROM blocks b WHERE b.hash = vb.block_hash)")).isZero();
  }

  /** Every block with a live row is in the store (whether referenced or not). */
  void assertEveryLiveRowStored() throws Exception {
    for (BlockRow b : rows("SELECT hash, length, refs, created_at FROM blocks WHERE refs >= 0")) {
      assertHashes(b.hash(), b.length());
    }
  }

  List<BlockRow> rows(String sql) {
    return db.read(
        c -> {
          List<BlockRow> rows = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              rows.add(new BlockRow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
            }
          }
          return rows;
        });
  }

  static void awaitTrue(java.util.function.BooleanSupplier condition, Duration limit)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - end).as("waited %s", limit).isNegative();
      Thread.sleep(20);
    }
  }

  /** Work that may throw anything. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  /** A store that does something else right after its first put has stored the block. */
  static final class AfterPut extends ForwardingStore {
    private final Step then;
    private final AtomicBoolean done = new AtomicBoolean();

    AfterPut(BlockStore delegate, Step then) {
      super(delegate);
      this.then = then;
    }

    @Override
    public void put(String hash, long length, InputStream in) throws IOException {
      super.put(hash, length, in);
      if (done.compareAndSet(false, true)) {
        try {
          then.run();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** A store that passes every call on to another. */
  static class ForwardingStore implements BlockStore {
    private final BlockStore delegate;

    ForwardingStore(BlockStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public java.util.Optional<String> readMarker() throws IOException {
      return delegate.readMarker();
    }

    @Override
    public void writeMarker(String installation) throws IOException {
      delegate.writeMarker(installation);
    }

    @Override
    public void put(String hash, long length, InputStream in) throws IOException {
      delegate.put(hash, length, in);
    }

    @Override
    public boolean contains(String hash) throws IOException {
      return delegate.contains(hash);
    }

    @Override
    public InputStream open(String hash, long offset) throws IOException {
      return delegate.open(hash, offset);
    }

    @Override
    public void delete(String hash) throws IOException {
      delegate.delete(hash);
    }

    @Override
    public void list(Visitor each) throws IOException {
      delegate.list(each);
    }

    @Override
    public String describe() {
      return "a test's wrapper of " + delegate.describe();
    }
  }

  /** A store whose listing fails after showing one block. */
  static final class ListingFails extends ForwardingStore {
    ListingFails(BlockStore delegate) {
      super(delegate);
    }

    @Override
    public void list(Visitor each) throws IOException {
      AtomicInteger seen = new AtomicInteger();
      super.list(
          block -> {
            if (seen.incrementAndGet() > 1) {
              throw new IOException("listing failed part way (as a test asks)");
            }
            each.visit(block);
          });
      throw new IOException("listing failed at its end (as a test asks)");
    }
  }
}
