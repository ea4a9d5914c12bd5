package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.client.ClientOptions;
import io.edfs.client.EdfsClient;
import io.edfs.client.EdfsException;
import io.edfs.client.Progress;
import io.edfs.client.Session;
import io.edfs.crypto.v1.Argon2Params;
import io.edfs.protocol.Mode;
import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.ServerProcess;
import io.edfs.tests3.S3Server;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three server processes on one metadata database and one shared block folder; 20 clients, each
 * given every node's URL (in its own order), write, read and share for 60 s while one node and
 * then another is killed with SIGKILL and started again. Afterwards every acknowledged write reads
 * back byte-identical, no commit was applied twice, and the longest time any client went without
 * a successful operation is printed and bounded.
 */
@Tag("alone") // measures waits: run by an execution of its own, with nothing beside it
@DisplayName("A cluster of three nodes losing one at a time")
class ClusterFailoverIT {
  private static final int NODES = 3;
  private static final int CLIENTS = 20;
  private static final Duration RUN = Duration.ofSeconds(60);
  private static final Duration WARM_UP = Duration.ofSeconds(5);
  /** When nodes die and come back, from the start of the run: kill 1 at 10 s, back at 25 s, ... */
  private static final long[][] CHAOS = {{0, 10_000, 25_000}, {1, 35_000, 50_000}};
  /**
   * The longest a client may go from a failed (or stalled) operation to the next success. A
   * killed node refuses connections at once, so the client's switch takes well under this.
   */
  private static final Duration FAILOVER_WINDOW = Duration.ofSeconds(10);

  /** Cheap password hashing: 20 signups and 20 logins are not what this test measures. */
  private static final Argon2Params FAST_KDF = new Argon2Params(8192, 1, 1);

  @TempDir Path tmp;

  /** One operation as a client saw it. */
  record Op(int client, String kind, String path, long start, long end, Optional<EdfsException> error) {
    boolean ok() {
      return error.isEmpty();
    }
  }

  /** A write a client made, acknowledged or not; its bytes are {@code content(client, seq, size)}. */
  record Write(int client, String path, int seq, int size, boolean acked) {
    byte[] content() {
      return ClusterFailoverIT.content(client, seq, size);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"MARIADB", "POSTGRES"})
  @DisplayName("loses no acknowledged write, applies no commit twice, and clients switch nodes quickly")
  void killNodesWhileClientsWork(Engine engine) throws Exception {
    try (TestDatabase db = TestDatabase.create(engine, tmp)) {
      // MariaDB with a shared folder of blocks; PostgreSQL with blocks in S3
      String blocks = "file:" + Files.createDirectories(tmp.resolve("blocks"));
      if (engine == Engine.POSTGRES) {
        S3Server s3 = S3Server.shared();
        blocks = s3.blockStoreUri(s3.createBucket(), "edfs");
      }
      // in the environment, not on the command line, as the README advises for credentials
      Map<String, String> env = Map.of("EDFS_DB", db.url(), "EDFS_BLOCKS", blocks);
      Path[] data = new Path[NODES];
      ServerProcess[] nodes = new ServerProcess[NODES];
      int[] ports = new int[NODES];
      try {
        for (int i = 0; i < NODES; i++) {
          data[i] = tmp.resolve("node" + (i + 1));
          if (i > 0) {
            // an operator adds a node by giving it the first node's secret and TLS identity
            Files.createDirectories(data[i].resolve("tls"));
            Files.copy(data[0].resolve("server.secret"), data[i].resolve("server.secret"));
            try (Stream<Path> tls = Files.list(data[0].resolve("tls"))) {
              for (Path f : tls.toList()) {
                Files.copy(f, data[i].resolve("tls").resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
              }
            }
          }
          nodes[i] = ServerProcess.start(data[i], 0, List.of("-Xmx256m"), List.of(), env);
          ports[i] = nodes[i].port();
        }
        List<URI> urls = Arrays.stream(nodes).map(n -> URI.create(n.url())).toList();
        run(engine, db, urls, (i, alive) -> {
          if (alive) {
            nodes[i] = ServerProcess.start(data[i], ports[i], List.of("-Xmx256m"), List.of(), env);
          } else {
            nodes[i].kill();
          }
        });
      } finally {
        for (ServerProcess n : nodes) {
          if (n != null) {
            n.close();
          }
        }
      }
    }
  }

  interface Chaos {
    void set(int node, boolean alive) throws Exception;
  }

  private void run(Engine engine, TestDatabase db, List<URI> urls, Chaos chaos)
      throws Exception {
    List<EdfsClient> clients = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    ConcurrentLinkedQueue<String> notices = new ConcurrentLinkedQueue<>();
    long setup = System.nanoTime();
    try {
      for (int c = 0; c < CLIENTS; c++) {
        List<URI> order = new ArrayList<>(urls);
        Collections.rotate(order, -(c % NODES));
        EdfsClient client =
            EdfsClient.open(
                ClientOptions.of(order, tmp.resolve("known_servers-" + c))
                    .withNotices(notices::add)
                    .withMinimumKdf(FAST_KDF));
        clients.add(client);
        Session s = client.signup("u" + c, ("password of u" + c).toCharArray(), FAST_KDF);
        s.mkdir("/w", false);
        s.mkdir("/shared", false);
        sessions.add(s);
      }
      for (int c = 0; c < CLIENTS; c++) {
        // u(c) shares /shared with u(c+1), who writes into it
        sessions.get(c).share("/shared", "u" + ((c + 1) % CLIENTS), Mode.W);
      }

      ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
      Map<Integer, List<Write>> writes = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      // the first seconds of 20 clients on fresh JVMs are slow on any cluster: not counted
      long warm = System.nanoTime() + WARM_UP.toNanos();
      long t0 = warm;
      List<Thread> workers = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int id = c;
        List<Write> mine = new ArrayList<>();
        writes.put(id, mine);
        workers.add(
            Thread.ofPlatform().name("client-" + c).start(() -> work(id, sessions.get(id), warm, stop, ops, mine)));
      }
      List<String> events = new ArrayList<>();
      List<long[]> schedule = new ArrayList<>();
      for (long[] step : CHAOS) {
        schedule.add(new long[] {step[0], step[1], 0});
        schedule.add(new long[] {step[0], step[2], 1});
      }
      schedule.sort(Comparator.comparingLong(s -> s[1]));
      for (long[] step : schedule) {
        sleepUntil(t0, step[1]);
        long at = System.nanoTime();
        chaos.set((int) step[0], step[2] == 1);
        events.add(String.format("%5.1f s: node %d %s (%d ms)", (at - t0) / 1e9, step[0] + 1,
            step[2] == 1 ? "restarted" : "killed (SIGKILL)", (System.nanoTime() - at) / 1_000_000));
      }
      sleepUntil(t0, RUN.toMillis());
      stop.set(true);
      for (Thread w : workers) {
        w.join(Duration.ofSeconds(60));
        assertThat(w.isAlive()).as("a client stuck in an operation").isFalse();
      }
      report(engine, t0, ops, events, notices);
      long checking = System.nanoTime();
      verify(db, urls, writes, ops);
      System.out.printf(
          "ClusterFailoverIT: 20 signups and shares took %.1f s, the check %.1f s%n",
          (t0 - setup) / 1e9, (System.nanoTime() - checking) / 1e9);
    } finally {
      sessions.forEach(Session::close);
      clients.forEach(EdfsClient::close);
    }
  }

  /** A client's loop: new files, a journal file overwritten in place, reads, writes into a share. */
  private static void work(
      int id, Session s, long warm, AtomicBoolean stop, ConcurrentLinkedQueue<Op> ops, List<Write> writes) {
    SplittableRandom random = new SplittableRandom(id);
    String neighbour = "u" + ((id + CLIENTS - 1) % CLIENTS);
    for (int n = 0; !stop.get(); n++) {
      String kind;
      String path;
      byte[] content = null;
      switch (n % 5) {
        case 0, 2 -> {
          kind = "write new";
          path = "/w/f" + n;
          // every 4th new file is bigger than a commit can carry, so it goes up as a block
          content = content(id, n, n % 4 == 0 ? 700_000 : 2_000 + random.nextInt(20_000));
        }
        case 1 -> {
          kind = "overwrite";
          path = "/w/journal";
          content = content(id, n, 3_000);
        }
        case 3 -> {
          kind = "write shared";
          path = "@" + neighbour + "/shared/from-u" + id + "-" + n;
          content = content(id, n, 5_000);
        }
        default -> {
          kind = "read";
          List<Write> acked = writes.stream().filter(Write::acked).toList();
          path = acked.isEmpty() ? "/w" : acked.get(random.nextInt(acked.size())).path();
        }
      }
      long start = System.nanoTime();
      Optional<EdfsException> error = Optional.empty();
      try {
        if (content != null) {
          s.write(path, new ByteArrayInputStream(content), Progress.NONE);
        } else if (path.equals("/w")) {
          s.list(path);
        } else {
          // a file overwritten since may hold newer content: compare with the newest acknowledged
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          s.read(path, out, Progress.NONE);
          String p = path;
          Write newest = writes.stream().filter(w -> w.path().equals(p) && w.acked()).reduce((a, b) -> b).orElseThrow();
          if (!Arrays.equals(out.toByteArray(), newest.content())) {
            throw new AssertionError("client " + id + " read other bytes than it last wrote to " + path);
          }
        }
      } catch (EdfsException e) {
        error = Optional.of(e);
      }
      long end = System.nanoTime();
      if (start >= warm) {
        ops.add(new Op(id, kind, path, start, end, error));
      } else if (error.isPresent()) {
        throw new AssertionError("client " + id + " failed while warming up: " + error.get().getMessage());
      }
      if (content != null) {
        writes.add(new Write(id, path, n, content.length, error.isEmpty()));
      }
    }
  }

  static byte[] content(int client, int n, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(((long) client << 32) | n).nextBytes(b);
    return b;
  }

  private static void sleepUntil(long t0, long millis) throws InterruptedException {
    long left = t0 + TimeUnit.MILLISECONDS.toNanos(millis) - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /** A stretch of time a client went without a success: its start and end, in nanoTime. */
  record Gap(long from, long to) {
    long millis() {
      return TimeUnit.NANOSECONDS.toMillis(to - from);
    }
  }

  /**
   * A client's longest wait: from the start of an operation to the end of the next one that
   * succeeded (the operation itself, or the first success after it failed).
   */
  static Gap longestGap(List<Op> clientOps) {
    Gap longest = new Gap(0, 0);
    Long since = null;
    for (Op op : clientOps) {
      if (since == null) {
        since = op.start();
      }
      if (op.ok()) {
        if (op.end() - since > longest.to() - longest.from()) {
          longest = new Gap(since, op.end());
        }
        since = null;
      }
    }
    return longest;
  }

  private void report(Engine engine, long t0, ConcurrentLinkedQueue<Op> ops, List<String> events, ConcurrentLinkedQueue<String> notices) {
    Map<Integer, List<Op>> byClient =
        ops.stream().sorted(Comparator.comparingLong(Op::start)).collect(Collectors.groupingBy(Op::client, TreeMap::new, Collectors.toList()));
    Gap gap =
        byClient.values().stream().map(ClusterFailoverIT::longestGap).max(Comparator.comparingLong(Gap::millis)).orElseThrow();
    long longest = gap.millis();
    long slowest = ops.stream().mapToLong(o -> o.end() - o.start()).max().orElse(0) / 1_000_000;
    Map<String, Long> errors =
        ops.stream().filter(o -> !o.ok()).collect(Collectors.groupingBy(o -> o.kind() + ": " + o.error().get().reason(), TreeMap::new, Collectors.counting()));
    long acked = ops.stream().filter(o -> o.ok() && !o.kind().equals("read")).count();
    System.out.printf(
        "ClusterFailoverIT %s: %d operations by %d clients in %d s (%d acknowledged writes); longest"
            + " wait for a success %d ms (from %.1f s); slowest operation %d ms; errors %s; node switches"
            + " noticed %d%n",
        engine.label(), ops.size(), CLIENTS, RUN.toSeconds(), acked, longest, (gap.from() - t0) / 1e9, slowest, errors,
        notices.size());
    events.forEach(e -> System.out.println("  " + e));
    assertThat(byClient).as("every client worked").hasSize(CLIENTS);
    assertThat(longest).as("longest a client waited for a success (ms)").isLessThan(FAILOVER_WINDOW.toMillis());
    assertThat(errors).as("errors clients saw (the SDK fails over inside the window)").isEmpty();
  }

  /** After the run, through fresh logins: every acknowledged write is there, byte for byte. */
  private void verify(TestDatabase db, List<URI> urls, Map<Integer, List<Write>> writes, ConcurrentLinkedQueue<Op> ops) throws Exception {
    AtomicLong checked = new AtomicLong();
    try (EdfsClient client =
            EdfsClient.open(ClientOptions.of(urls, tmp.resolve("known_servers-check")).withMinimumKdf(FAST_KDF));
        ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> checks = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int id = c;
        checks.add(pool.submit(() -> {
          verifyClient(client, id, writes.get(id), checked);
          return null;
        }));
      }
      for (Future<?> f : checks) {
        f.get();
      }
    }
    long ackedWrites = writes.values().stream().flatMap(List::stream).filter(Write::acked).count();
    System.out.printf("ClusterFailoverIT: %d acknowledged writes, %d files checked byte-identical, 0 lost%n", ackedWrites, checked.get());
    try (Connection c = DriverManager.getConnection(db.url()); Statement st = c.createStatement()) {
      // every version's content starts with fresh random salt, so two versions sharing a first
      // block would be one upload committed twice (a retry under a new version id; a retry under
      // the same id cannot land twice, the id is the key)
      try (ResultSet rs = st.executeQuery(
          "SELECT block_hash, COUNT(*) FROM version_blocks WHERE idx = 0 GROUP BY block_hash HAVING COUNT(*) > 1")) {
        assertThat(rs.next()).as("a commit applied twice").isFalse();
      }
    }
    assertThat(ops).isNotEmpty();
  }

  private static void verifyClient(EdfsClient client, int c, List<Write> writes, AtomicLong checked) {
    try (Session owner = client.login("u" + c, ("password of u" + c).toCharArray())) {
      Map<String, List<Write>> byPath =
          writes.stream().collect(Collectors.groupingBy(Write::path, TreeMap::new, Collectors.toList()));
      for (Map.Entry<String, List<Write>> e : byPath.entrySet()) {
        List<Write> history = e.getValue();
        int lastAcked = -1;
        for (int i = 0; i < history.size(); i++) {
          if (history.get(i).acked()) {
            lastAcked = i;
          }
        }
        if (lastAcked < 0) {
          continue; // never acknowledged: may or may not exist
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        owner.read(e.getKey(), out, Progress.NONE);
        // the newest acknowledged write, or a later one whose answer was lost but that landed
        byte[] got = out.toByteArray();
        assertThat(history.subList(lastAcked, history.size()).stream().anyMatch(w -> Arrays.equals(w.content(), got)))
            .as("u%d's %s holds what was last acknowledged", c, e.getKey())
            .isTrue();
        checked.incrementAndGet();
      }
    }
  }
}
