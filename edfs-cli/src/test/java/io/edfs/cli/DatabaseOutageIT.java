package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edfs.client.ClientOptions;
import io.edfs.client.EdfsClient;
import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.Entry;
import io.edfs.client.Progress;
import io.edfs.client.Session;
import io.edfs.protocol.Json;
import io.edfs.testdb.TestDatabase.Engine;
import io.edfs.testing.PrivateDatabaseServer;
import io.edfs.testing.ServerProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The metadata database crashes (SIGKILL) while clients write, and comes back: during the outage
 * requests fail fast with 503 {@code unavailable} instead of hanging; afterwards the same server
 * process serves again by itself, and every write it acknowledged is there, byte for byte. The
 * database is a private server owned by the test, never the machine's shared one.
 */
@DisplayName("A crash of the metadata database while clients write")
class DatabaseOutageIT {
  private static final int CLIENTS = 4;
  /** Longer than this, a request during the outage counts as hanging (the SDK gives up at 10 s). */
  private static final Duration FAST = Duration.ofSeconds(10);
  private static final Duration OUTAGE = Duration.ofSeconds(10);
  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);
  /** Every 5th write is a new version of one file per client; the others create new files. */
  private static final String JOURNAL = "/w/journal";

  @TempDir Path tmp;

  /** One write as a client saw it; content is regenerated from (client, index). */
  record Attempt(int client, int index, String path, long start, long end, Optional<EdfsException> error) {
    boolean acked() {
      return error.isEmpty();
    }

    long millis() {
      return TimeUnit.NANOSECONDS.toMillis(end - start);
    }
  }

  /** One direct request: status, problem type and timing. */
  record Probe(long start, long end, int status, String type) {
    long millis() {
      return TimeUnit.NANOSECONDS.toMillis(end - start);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"MARIADB", "POSTGRES"})
  @DisplayName("fails fast while the database is down, recovers by itself, loses no acknowledged write")
  void killAndRestart(Engine engine) throws Exception {
    try (PrivateDatabaseServer db = PrivateDatabaseServer.start(engine);
        ServerProcess server =
            ServerProcess.start(tmp.resolve("data"), List.of("-Xmx512m"), List.of("--db", db.jdbcUrl()), Map.of());
        EdfsClient client = EdfsClient.open(ClientOptions.of(URI.create(server.url()), tmp.resolve("known_servers")))) {
      List<Session> sessions = new ArrayList<>();
      try {
        for (int c = 0; c < CLIENTS; c++) {
          Session s = client.signup("writer" + c, ("password of writer " + c).toCharArray());
          s.mkdir("/w", false);
          sessions.add(s);
        }
        run(engine, db, server, sessions);
      } finally {
        sessions.forEach(Session::close);
      }
    }
  }

  private void run(Engine engine, PrivateDatabaseServer db, ServerProcess server, List<Session> sessions) throws Exception {
    ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int id = c;
      writers.add(Thread.ofPlatform().name("writer-" + c).start(() -> write(id, sessions.get(id), stop, attempts)));
    }
    HttpClient http = HttpClient.newBuilder().sslContext(server.sslContext()).version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(server.url() + "/v1/account"))
            .header("Authorization", "Bearer " + sessions.get(0).data().token())
            .timeout(Duration.ofSeconds(30))
            .build();
    List<Probe> probes = new ArrayList<>();
    long killed;
    long restarting;
    long up;
    try {
      // everyone writes successfully before the crash
      awaitAcks(attempts, 5, 0, Duration.ofSeconds(120), "every client's first 5 writes");
      killed = System.nanoTime();
      db.kill();
      while (System.nanoTime() - killed < OUTAGE.toNanos()) {
        probes.add(probe(http, probe));
        Thread.sleep(200);
      }
      restarting = System.nanoTime();
      db.restart();
      up = System.nanoTime();
      awaitAcks(attempts, 3, up, RECOVERY_LIMIT, "every client's writes after the database came back");
      while (true) {
        Probe p = probe(http, probe);
        probes.add(p);
        if (p.status() == 200 || System.nanoTime() - up > RECOVERY_LIMIT.toNanos()) {
          break;
        }
        Thread.sleep(100);
      }
      Thread.sleep(2000);
    } finally {
      stop.set(true);
      for (Thread t : writers) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }
    }
    List<Attempt> all = new ArrayList<>(attempts);
    assertThat(server.isAlive()).as("the edfs server process was not restarted").isTrue();

    // during the outage: every write failed with 503 unavailable, quickly
    List<Attempt> affected = all.stream().filter(a -> a.end() > killed && a.start() < restarting).toList();
    List<Attempt> duringOutage = affected.stream().filter(a -> a.start() >= killed && a.end() <= restarting).toList();
    assertThat(duringOutage).as("writes were attempted while the database was down").hasSizeGreaterThanOrEqualTo(CLIENTS);
    for (Attempt a : duringOutage) {
      assertThat(a.error()).as("%s while the database was down", a.path()).isPresent();
      assertThat(a.error().orElseThrow().reason())
          .as("%s failed with: %s (UNREACHABLE would mean a hang or a timeout)", a.path(), a.error().orElseThrow().getMessage())
          .isEqualTo(Reason.UNAVAILABLE);
    }
    long longestWrite = affected.stream().mapToLong(Attempt::millis).max().orElse(0);
    assertThat(longestWrite).as("longest write around the outage, ms").isLessThan(FAST.toMillis());

    List<Probe> outageProbes = probes.stream().filter(p -> p.start() >= killed && p.end() <= restarting).toList();
    assertThat(outageProbes).as("requests answered during the outage").hasSizeGreaterThanOrEqualTo(2);
    for (Probe p : outageProbes) {
      assertThat(p.status()).as("GET /v1/account while the database was down").isEqualTo(503);
      assertThat(p.type()).isEqualTo("unavailable");
    }
    long longestProbe = outageProbes.stream().mapToLong(Probe::millis).max().orElse(0);
    assertThat(longestProbe).as("longest request during the outage, ms").isLessThan(FAST.toMillis());

    // recovery, measured from the moment the database answered again
    long firstAck = all.stream().filter(a -> a.acked() && a.start() >= up).mapToLong(Attempt::end).min().orElseThrow();
    long firstProbeOk = probes.stream().filter(p -> p.start() >= up && p.status() == 200).mapToLong(Probe::end).min().orElseThrow();

    System.out.printf(
        Locale.ROOT,
        "outage[%s]: %d writes affected (%d failed, %d acked), longest write %d ms, longest probe %d ms (%d probes, all 503);"
            + " database restart took %d ms; first acknowledged write %d ms and first 200 %d ms after it answered again;"
            + " %d writes in all, %d acknowledged%n",
        engine.label(),
        affected.size(),
        affected.stream().filter(a -> !a.acked()).count(),
        affected.stream().filter(Attempt::acked).count(),
        longestWrite,
        longestProbe,
        outageProbes.size(),
        TimeUnit.NANOSECONDS.toMillis(up - restarting),
        TimeUnit.NANOSECONDS.toMillis(firstAck - up),
        TimeUnit.NANOSECONDS.toMillis(firstProbeOk - up),
        all.size(),
        all.stream().filter(Attempt::acked).count());

    verify(sessions, all);
  }

  /** Writes distinct files (and now and then a new version of the journal) until told to stop. */
  private static void write(int client, Session session, AtomicBoolean stop, ConcurrentLinkedQueue<Attempt> attempts) {
    for (int i = 0; !stop.get(); i++) {
      String path = i % 5 == 4 ? JOURNAL : "/w/f-" + i;
      byte[] content = content(client, i);
      long t0 = System.nanoTime();
      Optional<EdfsException> error = Optional.empty();
      try {
        session.write(path, new ByteArrayInputStream(content), Progress.NONE);
      } catch (EdfsException e) {
        error = Optional.of(e);
      }
      attempts.add(new Attempt(client, i, path, t0, System.nanoTime(), error));
      if (error.isPresent()) {
        sleep(100); // a failing client retries at a human pace, not in a tight loop
      }
    }
  }

  /** Every acknowledged write reads back byte-identical; an unacknowledged one is all there or absent. */
  private static void verify(List<Session> sessions, List<Attempt> all) {
    for (int c = 0; c < CLIENTS; c++) {
      Session s = sessions.get(c);
      int client = c;
      List<Attempt> mine = all.stream().filter(a -> a.client() == client).toList();
      Set<String> listed = new HashSet<>();
      for (Entry e : s.list("/w")) {
        listed.add("/w/" + e.name());
      }
      Set<String> attempted = new HashSet<>();
      mine.forEach(a -> attempted.add(a.path()));
      assertThat(attempted).as("client %d: no file appeared that was never written", c).containsAll(listed);
      for (Attempt a : mine) {
        if (a.path().equals(JOURNAL)) {
          continue;
        }
        if (a.acked()) {
          assertThat(listed).as("client %d: acknowledged %s is listed", c, a.path()).contains(a.path());
        }
        if (listed.contains(a.path())) {
          assertThat(read(s, a.path())).as("client %d: content of %s (acknowledged: %s)", c, a.path(), a.acked()).isEqualTo(content(c, a.index()));
        }
      }
      // the journal holds the last acknowledged version, or a later one whose answer was lost
      List<Attempt> journal = mine.stream().filter(a -> a.path().equals(JOURNAL)).toList();
      int lastAck = -1;
      for (int k = 0; k < journal.size(); k++) {
        if (journal.get(k).acked()) {
          lastAck = k;
        }
      }
      assertThat(lastAck).as("client %d: a journal version was acknowledged", c).isGreaterThanOrEqualTo(0);
      byte[] actual = read(s, JOURNAL);
      List<Integer> allowed = journal.subList(lastAck, journal.size()).stream().map(Attempt::index).toList();
      assertThat(allowed.stream().anyMatch(i -> Arrays.equals(actual, content(client, i))))
          .as("client %d: the journal is the last acknowledged version (write %d) or a later attempt %s", c, journal.get(lastAck).index(), allowed)
          .isTrue();
    }
  }

  private static byte[] read(Session s, String path) {
    var out = new ByteArrayOutputStream();
    s.read(path, out, Progress.NONE);
    return out.toByteArray();
  }

  /** Known content of write {@code index} of {@code client}: mostly small, every 10th above the inline limit. */
  static byte[] content(int client, int index) {
    SplittableRandom rnd = new SplittableRandom(client * 1_000_003L + index);
    int size = index % 10 == 7 ? 600 * 1024 + rnd.nextInt(4096) : 1 + rnd.nextInt(4096);
    byte[] b = new byte[size];
    rnd.nextBytes(b);
    return b;
  }

  /** Waits until every client has {@code n} acknowledged writes that started after {@code since}. */
  private static void awaitAcks(ConcurrentLinkedQueue<Attempt> attempts, int n, long since, Duration limit, String description)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      int[] count = new int[CLIENTS];
      for (Attempt a : attempts) {
        if (a.start() >= since && a.acked()) {
          count[a.client()]++;
        }
      }
      if (Arrays.stream(count).allMatch(k -> k >= n)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        List<Attempt> recent = attempts.stream().filter(a -> a.start() >= since).toList();
        String lastError =
            recent.stream()
                .flatMap(a -> a.error().stream())
                .reduce((first, second) -> second)
                .map(e -> e.reason() + " " + e.getMessage())
                .orElse("none");
        throw new AssertionError(
            description + " did not happen within " + limit.toSeconds() + " s: counts " + Arrays.toString(count)
                + ", " + recent.size() + " attempts, last error: " + lastError);
      }
      Thread.sleep(50);
    }
  }

  private static Probe probe(HttpClient http, HttpRequest request) throws InterruptedException {
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      String type = "";
      if (r.statusCode() >= 400) {
        JsonNode problem = Json.mapper().readTree(r.body());
        type = problem.path("type").asText();
      }
      return new Probe(t0, System.nanoTime(), r.statusCode(), type);
    } catch (IOException e) {
      return new Probe(t0, System.nanoTime(), -1, e.toString());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
