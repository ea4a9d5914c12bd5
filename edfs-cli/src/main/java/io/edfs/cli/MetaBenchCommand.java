package io.edfs.cli;

import io.edfs.client.ClientOptions;
import io.edfs.client.EdfsClient;
import io.edfs.client.Entry;
import io.edfs.client.Progress;
import io.edfs.client.Session;
import io.edfs.crypto.v1.Argon2Params;
import io.edfs.server.EdfsServer;
import io.edfs.server.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code edfs bench meta}: metadata operations per second on one database engine. Starts a server
 * in this process on the given database (a temporary data folder, an ephemeral port) and drives it
 * through the real SDK over HTTPS, so every figure includes TLS, JSON, the client's cryptography
 * and the server's transactions.
 *
 * <p>Each concurrent client is its own user working in its own home folder (create, rename,
 * commit): users are independent, but they share every table and index. The listing is of one
 * user's folder of {@code --entries} entries, from as many sessions of that user at once.
 */
@Command(
    name = "meta",
    description = {
      "Benchmark metadata operations (create, rename, ls, commit) on a database: starts an in-process server on it.",
      "Give an empty database; the benchmark leaves its data there."
    })
final class MetaBenchCommand implements Callable<Integer> {
  // the bench measures metadata, not password hashing: its throwaway accounts use cheap Argon2id
  private static final Argon2Params CHEAP_KDF = new Argon2Params(8 * 1024, 1, 1);
  private static final int MAX_CLIENTS = 256;
  private static final String SERVER_LOG_LEVEL = "org.slf4j.simpleLogger.log.io.edfs.server";

  @ParentCommand BenchCommand bench;
  @Spec CommandSpec spec;

  @Option(
      names = "--db",
      paramLabel = "JDBC_URL",
      description = "Metadata database, as for edfs server --db (default: SQLite in a temporary folder).")
  String db;

  @Option(
      names = "--clients",
      split = ",",
      paramLabel = "N[,N...]",
      description = "Concurrent clients per run (default: 1,16).",
      defaultValue = "1,16")
  List<Integer> clients;

  @Option(names = "--entries", description = "Entries in the folder to list (default: 10000).", defaultValue = "10000")
  int entries;

  @Option(names = "--seconds", description = "Seconds per measurement (default: 3).", defaultValue = "3")
  double seconds;

  /** One measured operation: what a client does once, given its session and a fresh counter. */
  @FunctionalInterface
  interface Op {
    void run(int client, Session session, long n) throws Exception;
  }

  /** Figures of one cell of the table. */
  record Cell(String op, int clients, long count, double seconds, long[] sortedNanos) {
    double perSecond() {
      return count / seconds;
    }

    double percentileMillis(double p) {
      int i = (int) Math.ceil(p * sortedNanos.length) - 1;
      return sortedNanos[Math.max(0, i)] / 1e6;
    }
  }

  @Override
  public Integer call() throws Exception {
    validate();
    // the in-process server logs every request; here only its warnings belong on the terminal
    if (System.getProperty(SERVER_LOG_LEVEL) == null) {
      System.setProperty(SERVER_LOG_LEVEL, "warn");
    }
    var out = bench.main.cli.out;
    String engine = engine(db);
    Path tmp = Files.createTempDirectory("edfs-bench-meta-");
    ServerConfig config = ServerConfig.defaults(tmp.resolve("data")).withPort(0).withDatabase(db);
    int most = clients.stream().mapToInt(Integer::intValue).max().orElseThrow();
    try (EdfsServer server = EdfsServer.start(config);
        EdfsClient client =
            EdfsClient.open(options(server, tmp.resolve("known_servers")))) {
      out.printf(
          Locale.ROOT,
          "edfs bench meta: %s (%s), %s s per measurement, %d cores, in-process server at %s%n",
          engine,
          db == null ? "temporary file" : ServerConfig.redact(db),
          fmt(seconds),
          Runtime.getRuntime().availableProcessors(),
          server.uri());
      out.flush();
      List<Session> users = new ArrayList<>();
      List<Session> readers = new ArrayList<>();
      try {
        for (int c = 0; c < most; c++) {
          Session s = client.signup("meta-" + c, password(c), CHEAP_KDF);
          s.mkdir("/bench", false);
          users.add(s);
        }
        readers.add(users.get(0));
        for (int c = 1; c < most; c++) {
          readers.add(client.login("meta-0", password(0)));
        }
        folderToList(users.get(0), readers);

        List<Cell> cells = new ArrayList<>();
        int round = 0;
        // the first pass warms up both JVM halves (client and server share this process)
        for (boolean warm : new boolean[] {false, true}) {
          for (int n : warm ? clients.stream().mapToInt(Integer::intValue).toArray() : new int[] {most}) {
            double secs = warm ? seconds : Math.min(1, seconds);
            List<Cell> pass = new ArrayList<>();
            pass.add(measure("create", n, secs, users, create(users, ++round)));
            pass.add(measure("rename", n, secs, users, rename(users, ++round)));
            pass.add(measure("ls " + entries, n, secs, readers, (c, s, i) -> list(s)));
            pass.add(measure("commit", n, secs, users, commit(users, ++round)));
            if (warm) {
              cells.addAll(pass);
            }
          }
        }
        out.printf(Locale.ROOT, "%-11s %-12s %7s %9s %9s %9s%n", "engine", "op", "clients", "ops/s", "p50 ms", "p99 ms");
        cells.sort(Comparator.comparing(Cell::op, Comparator.comparingInt(MetaBenchCommand::opOrder)).thenComparingInt(Cell::clients));
        for (Cell c : cells) {
          out.printf(
              Locale.ROOT,
              "%-11s %-12s %7d %9.0f %9.2f %9.2f%n",
              engine,
              c.op(),
              c.clients(),
              c.perSecond(),
              c.percentileMillis(0.50),
              c.percentileMillis(0.99));
        }
        out.println(
            "create = mkdir of a new folder; rename = mv of a folder to a new name; commit = a new version of a"
                + " 1 KiB file; ls = listing the folder, decrypting every name. Clients share this process's cores"
                + " with the server.");
        out.flush();
      } finally {
        readers.stream().skip(1).forEach(Session::close);
        users.forEach(Session::close);
      }
    } finally {
      deleteRecursively(tmp);
    }
    return 0;
  }

  /**
   * Sixteen clients listing 10,000 entries at once on a busy 2-core machine can take longer than
   * the SDK's default 10 s per request: a slow answer is a figure here, not a failure.
   */
  private static ClientOptions options(EdfsServer server, Path knownServers) {
    return ClientOptions.of(server.uri(), knownServers).withTimeout(Duration.ofMinutes(2)).withMinimumKdf(CHEAP_KDF);
  }

  private void validate() {
    if (clients.isEmpty() || clients.stream().anyMatch(n -> n < 1 || n > MAX_CLIENTS)) {
      throw new ParameterException(spec.commandLine(), "--clients must list numbers in 1.." + MAX_CLIENTS + ", got " + clients);
    }
    if (entries < 1 || entries > 1_000_000) {
      throw new ParameterException(spec.commandLine(), "--entries must be in 1..1000000, got " + entries);
    }
    if (!(seconds > 0 && seconds <= 600)) {
      throw new ParameterException(spec.commandLine(), "--seconds must be in (0, 600], got " + fmt(seconds));
    }
    if (db != null && !ServerConfig.isSupportedDatabase(db)) {
      throw new ParameterException(
          spec.commandLine(), "--db " + ServerConfig.redact(db) + " is not a supported JDBC URL (jdbc:sqlite:, jdbc:mariadb://, jdbc:mysql://, jdbc:postgresql://)");
    }
  }

  /** Fills the folder to list, creating its entries from every reader session at once. */
  private void folderToList(Session owner, List<Session> sessions) throws Exception {
    owner.mkdir("/bench/big", false);
    long t0 = System.nanoTime();
    int n = sessions.size();
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < n; c++) {
        int id = c;
        done.add(
            pool.submit(
                () -> {
                  for (int i = id; i < entries; i += n) {
                    sessions.get(id).mkdir("/bench/big/entry-" + i, false);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        get(f);
      }
    }
    var out = bench.main.cli.out;
    out.printf(Locale.ROOT, "set-up: %d entries created in %.1f s (%d clients)%n", entries, (System.nanoTime() - t0) / 1e9, n);
    out.flush();
  }

  private void list(Session s) {
    int n = s.list("/bench/big").size();
    if (n != entries) {
      throw new IllegalStateException("listed " + n + " entries, expected " + entries);
    }
  }

  private static Op create(List<Session> users, int round) {
    for (Session s : users) {
      s.mkdir("/bench/c" + round, false);
    }
    return (c, s, n) -> s.mkdir("/bench/c" + round + "/d-" + n, false);
  }

  private static Op rename(List<Session> users, int round) {
    for (Session s : users) {
      s.mkdir("/bench/r" + round, false);
      s.mkdir("/bench/r" + round + "/x-0", false);
    }
    return (c, s, n) -> s.move("/bench/r" + round + "/x-" + n, "/bench/r" + round + "/x-" + (n + 1));
  }

  private static Op commit(List<Session> users, int round) {
    byte[] content = new byte[1024];
    Entry[] latest = new Entry[users.size()];
    for (int c = 0; c < users.size(); c++) {
      users.get(c).mkdir("/bench/v" + round, false);
      latest[c] = users.get(c).write("/bench/v" + round + "/f", new ByteArrayInputStream(content), Progress.NONE);
    }
    // each client writes on top of the version it saw last, as an editor would
    return (c, s, n) -> latest[c] = s.write("/bench/v" + round + "/f", new ByteArrayInputStream(content), Progress.NONE, latest[c]);
  }

  /** Runs {@code op} from {@code n} clients for {@code secs} seconds; every call is timed. */
  private static Cell measure(String name, int n, double secs, List<Session> sessions, Op op) throws Exception {
    CyclicBarrier start = new CyclicBarrier(n + 1);
    long[] began = new long[1];
    List<Future<long[]>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      for (int c = 0; c < n; c++) {
        int id = c;
        results.add(
            pool.submit(
                () -> {
                  long[] lat = new long[1024];
                  int count = 0;
                  start.await();
                  long deadline = began[0] + (long) (secs * 1e9);
                  for (long i = 0; System.nanoTime() < deadline; i++) {
                    long t0 = System.nanoTime();
                    op.run(id, sessions.get(id), i);
                    if (count == lat.length) {
                      lat = Arrays.copyOf(lat, count * 2);
                    }
                    lat[count++] = System.nanoTime() - t0;
                  }
                  return Arrays.copyOf(lat, count);
                }));
      }
      began[0] = System.nanoTime();
      start.await();
      List<long[]> all = new ArrayList<>();
      for (Future<long[]> f : results) {
        all.add(get(f));
      }
      double elapsed = (System.nanoTime() - began[0]) / 1e9;
      long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      if (merged.length == 0) {
        throw new IllegalStateException(name + ": no operation finished in " + fmt(secs) + " s");
      }
      return new Cell(name, n, merged.length, elapsed, merged);
    }
  }

  /** The future's value; a failed operation aborts the benchmark with its own exception. */
  private static <T> T get(Future<T> f) throws Exception {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static int opOrder(String op) {
    return op.startsWith("create") ? 0 : op.startsWith("rename") ? 1 : op.startsWith("ls") ? 2 : 3;
  }

  /** {@code sqlite}, {@code mariadb}, {@code mysql} or {@code postgresql}, from the JDBC URL. */
  static String engine(String url) {
    if (url == null) {
      return "sqlite";
    }
    String rest = url.substring("jdbc:".length());
    return rest.substring(0, rest.indexOf(':'));
  }

  private static char[] password(int c) {
    return ("meta bench password " + c).toCharArray();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
