package io.edfs.server.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's background worker: every node runs one, and the one holding lease {@value #LEASE}
 * does the work (garbage collection, pruning old idempotency keys, then the block store's repair
 * when it has one) every interval. A node takes the lease when it is free or expired and renews it
 * every third of its lifetime; one that cannot renew in time, or finds another holder, stops at
 * once. A node killed outright just lets its lease expire.
 *
 * <p>Times: the lease's expiry is on the database's clock, so nodes never compare their own clocks;
 * a node counts how long it still holds the lease on its own monotonic clock, from just before the
 * renewal that the database timed ({@link System#nanoTime}), so it stops before any other node can
 * think the lease expired. Correctness never depends on the lease: every step of the work is safe
 * on several nodes at once; the lease keeps them from doing it twice.
 */
final class Maintenance implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

  /** The lease row's name. */
  static final String LEASE = "maintenance";

  /** How long close() waits for a running round to notice it must stop. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final Lease lease;
  private final Duration ttl;
  private final Duration interval;
  private final GarbageCollector gc;
  private final Optional<Repairable> repair;
  private final Optional<RequestKeys> requests;
  private final Object lock = new Object();

  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile boolean holding;
  /** System.nanoTime() until which this node may work: its lease cannot have expired before. */
  private volatile long validUntil;

  private Thread loop;
  private Thread round; // guarded by lock
  private long nextRound; // System.nanoTime(); loop thread only
  private boolean renewFailing; // loop thread only

  Maintenance(
      Lease lease,
      Duration ttl,
      Duration interval,
      GarbageCollector gc,
      Optional<Repairable> repair,
      Optional<RequestKeys> requests) {
    this.requests = requests;
    this.lease = lease;
    this.ttl = ttl;
    this.interval = interval;
    this.gc = gc;
    this.repair = repair;
  }

  /** Starts the loop on a thread of its own. */
  void start() {
    synchronized (lock) {
      if (loop != null) {
        throw new IllegalStateException("already started");
      }
      loop = Thread.ofVirtual().name("edfs-maintenance").start(this::run);
    }
  }

  /** Whether this node holds the lease and may work now. */
  boolean working() {
    return !closed && holding && System.nanoTime() - validUntil < 0;
  }

  private void run() {
    long renewEvery = ttl.toNanos() / 3;
    try {
      do {
        renew();
      } while (!stop.await(renewEvery, TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void renew() {
    long asked = System.nanoTime();
    boolean held;
    try {
      held = lease.acquire(ttl);
      if (renewFailing) {
        LOG.info("maintenance: the lease database answers again");
        renewFailing = false;
      }
    } catch (RuntimeException e) {
      if (!renewFailing) {
        LOG.warn("maintenance: cannot take or renew the lease: {}", e.getMessage());
        renewFailing = true;
      }
      held = false;
      if (holding && System.nanoTime() - validUntil < 0) {
        return; // still ours for a while: the next renewal may work
      }
    }
    if (held) {
      // a tenth of the lifetime to spare, for clocks that tick at slightly different rates
      validUntil = asked + ttl.toNanos() - ttl.toNanos() / 10;
      if (!holding) {
        holding = true;
        nextRound = System.nanoTime();
        LOG.info(
            "maintenance: {} took over the lease (lifetime {} s, work every {} s)",
            lease.holder(),
            ttl.toSeconds(),
            interval.toSeconds());
      }
      startRoundIfDue();
    } else if (holding) {
      holding = false;
      LOG.info("maintenance: {} lost the lease; its work stops", lease.holder());
    }
  }

  private void startRoundIfDue() {
    synchronized (lock) {
      if (closed || (round != null && round.isAlive()) || System.nanoTime() - nextRound < 0) {
        return;
      }
      nextRound = System.nanoTime() + interval.toNanos();
      round = Thread.ofVirtual().name("edfs-maintenance-round").start(this::work);
    }
  }

  /** One round of the work, while this node holds the lease. */
  private void work() {
    long start = System.nanoTime();
    try {
      GarbageCollector.Round r = gc.collect(this::working);
      LOG.info(
          "gc: {} in {} ms",
          r,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (Exception e) {
      LOG.warn("gc: the round failed (the next one tries again): {}", e.toString());
      return;
    }
    if (requests.isPresent() && working()) {
      try {
        int pruned = requests.get().prune(RequestKeys.KEEP);
        LOG.info("requests: {} idempotency key(s) older than {} deleted", pruned, RequestKeys.KEEP);
      } catch (Exception e) {
        LOG.warn("requests: pruning failed (the next round tries again): {}", e.toString());
      }
    }
    if (repair.isPresent() && working()) {
      try {
        repair.get().repair(this::working); // logs its own line
      } catch (Exception e) {
        LOG.warn("repair failed (the next round tries again): {}", e.toString());
      }
    }
  }

  /**
   * Stops the loop and any running round, then gives the lease up so that another node takes
   * over at once.
   */
  @Override
  public void close() {
    Thread l;
    Thread r;
    synchronized (lock) {
      closed = true;
      stop.countDown();
      l = loop;
      r = round;
    }
    try {
      if (l != null) {
        l.join(STOP_WAIT);
      }
      if (r != null) {
        r.join(STOP_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (holding) {
      holding = false;
      try {
        lease.release();
        LOG.info("maintenance: {} gave the lease up", lease.holder());
      } catch (RuntimeException e) {
        LOG.warn("maintenance: cannot give the lease up (it expires by itself): {}", e.getMessage());
      }
    }
  }
}
