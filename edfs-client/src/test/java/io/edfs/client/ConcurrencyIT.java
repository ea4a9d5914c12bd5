package io.edfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.client.EdfsException.Reason;
import io.edfs.crypto.v1.Argon2Params;
import io.edfs.protocol.Mode;
import io.edfs.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fifty clients on virtual threads work at once against one server: each in its own home,
 * all in one folder alice shares with them, some racing for one name and some
 * read-modify-writing one file. The only errors are the expected ones (name exists, version
 * conflict), and the final tree is exactly what the successful operations imply.
 */
@DisplayName("Fifty concurrent clients")
class ConcurrencyIT {
  static final Argon2Params FAST_KDF = new Argon2Params(8192, 1, 1);
  static final int CLIENTS = 50;
  static final int COUNTER_CLIENTS = 10;
  static final int INCREMENTS = 3;

  @TempDir Path tmp;

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String read(Session s, String path) {
    var out = new ByteArrayOutputStream();
    s.read(path, out, Progress.NONE);
    return out.toString(StandardCharsets.UTF_8);
  }

  static void write(Session s, String path, String content) {
    s.write(path, new ByteArrayInputStream(utf8(content)), Progress.NONE);
  }

  @Test
  @DisplayName("mixed operations: no unexpected error, and the final tree matches what succeeded")
  void mixedOperations() throws Exception {
    try (TestServer server = TestServer.start();
        EdfsClient client = EdfsClient.open(ClientOptions.of(server.uri(), tmp.resolve("known_servers")).withMinimumKdf(FAST_KDF))) {
      List<String> users = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        users.add("user" + i);
      }
      // user0 is the owner of the shared folder
      try (Session owner = client.signup(users.get(0), "pw-0".toCharArray(), FAST_KDF)) {
        owner.mkdir("/shared", false);
        write(owner, "/shared/counter.txt", "");
        for (int i = 1; i < CLIENTS; i++) {
          try (Session s = client.signup(users.get(i), ("pw-" + i).toCharArray(), FAST_KDF)) {
            owner.share("/shared", users.get(i), Mode.W);
          }
        }
      }

      var unexpected = new ConcurrentLinkedQueue<Throwable>();
      var raceWinners = new AtomicInteger();
      var conflicts = new AtomicInteger();
      var start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < CLIENTS; i++) {
          final int c = i;
          done.add(
              pool.submit(
                  () -> {
                    try (EdfsClient own = EdfsClient.open(ClientOptions.of(server.uri(), tmp.resolve("known_servers")).withMinimumKdf(FAST_KDF));
                        Session s = own.login(users.get(c), ("pw-" + c).toCharArray())) {
                      start.await();
                      String shared = c == 0 ? "/shared" : "@user0/shared";
                      // own home: create, write, rename, delete, overwrite
                      s.mkdir("/work-" + c, false);
                      write(s, "/work-" + c + "/a.txt", "a-" + c);
                      write(s, "/work-" + c + "/b.txt", "b-" + c);
                      s.move("/work-" + c + "/a.txt", "/work-" + c + "/a2.txt");
                      s.delete("/work-" + c + "/b.txt", false);
                      write(s, "/work-" + c + "/a2.txt", "a2-" + c + "-v2");
                      // the shared folder: one file each, and everyone races for one name
                      write(s, shared + "/from-" + c + ".txt", "hello from " + c);
                      try {
                        s.mkdir(shared + "/race", false);
                        raceWinners.incrementAndGet();
                      } catch (EdfsException e) {
                        if (e.reason() != Reason.NAME_EXISTS) {
                          throw e;
                        }
                      }
                      // read-modify-write on one file: conflicts are expected, lost updates are not
                      if (c % (CLIENTS / COUNTER_CLIENTS) == 0) {
                        for (int n = 0; n < INCREMENTS; ) {
                          Entry seen = s.stat(shared + "/counter.txt");
                          String before = read(s, shared + "/counter.txt");
                          try {
                            s.write(shared + "/counter.txt", new ByteArrayInputStream(utf8(before + c + "\n")), Progress.NONE, seen);
                            n++;
                          } catch (VersionConflictException e) {
                            conflicts.incrementAndGet();
                          }
                        }
                      }
                    } catch (Throwable t) {
                      unexpected.add(t);
                    }
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> f : done) {
          f.get();
        }
      }
      assertThat(unexpected).as("unexpected errors").isEmpty();
      assertThat(raceWinners.get()).as("exactly one client creates /shared/race").isEqualTo(1);

      try (Session owner = client.login(users.get(0), "pw-0".toCharArray())) {
        List<String> sharedNames = owner.list("/shared").stream().map(Entry::name).toList();
        List<String> expected = new ArrayList<>(List.of("counter.txt", "race"));
        for (int c = 0; c < CLIENTS; c++) {
          expected.add("from-" + c + ".txt");
        }
        assertThat(sharedNames).containsExactlyInAnyOrderElementsOf(expected);
        for (int c = 0; c < CLIENTS; c++) {
          assertThat(read(owner, "/shared/from-" + c + ".txt")).isEqualTo("hello from " + c);
        }
        List<String> lines = new ArrayList<>(List.of(read(owner, "/shared/counter.txt").split("\n")));
        Collections.sort(lines);
        List<String> wanted = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c += CLIENTS / COUNTER_CLIENTS) {
          for (int n = 0; n < INCREMENTS; n++) {
            wanted.add(String.valueOf(c));
          }
        }
        Collections.sort(wanted);
        assertThat(lines).as("every successful increment is there exactly once").isEqualTo(wanted);
        assertThat(owner.stat("/shared/counter.txt").version())
            .as("one version per successful write, plus the empty first one")
            .isEqualTo(1 + COUNTER_CLIENTS * INCREMENTS);
      }
      for (int c = 0; c < CLIENTS; c++) {
        try (Session s = client.login(users.get(c), ("pw-" + c).toCharArray())) {
          assertThat(s.list("/work-" + c).stream().map(Entry::name)).containsExactly("a2.txt");
          assertThat(read(s, "/work-" + c + "/a2.txt")).isEqualTo("a2-" + c + "-v2");
        }
      }
      System.out.printf("concurrency: %d clients, %d version conflicts retried%n", CLIENTS, conflicts.get());
    }
  }
}
