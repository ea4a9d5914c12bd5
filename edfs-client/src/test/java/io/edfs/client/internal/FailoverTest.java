package io.edfs.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The failover rules, with each node's outcome scripted (no network). */
@DisplayName("Failover between nodes")
class FailoverTest {
  final List<String> notices = new CopyOnWriteArrayList<>();

  Failover nodes(int n, Duration budget) throws NoSuchAlgorithmException {
    List<Failover.Node> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      URI uri = URI.create("https://127.0.0.1:" + (9001 + i));
      list.add(new Failover.Node(uri, new BlockConnections(SSLContext.getDefault(), "127.0.0.1", 9001 + i, Duration.ofSeconds(1))));
    }
    return new Failover(list, budget, notices::add);
  }

  static int port(Failover.Node node) {
    return node.uri().getPort() - 9001;
  }

  static Failover.ErrorAnswer answer(int status, Reason reason) {
    return new Failover.ErrorAnswer(status, new EdfsException(reason, "answered " + status));
  }

  /** Counts a try on {@code node}; node 0 refuses every connection. */
  static void firstRefuses(AtomicIntegerArray tries, Failover.Node node) throws ConnectException {
    tries.incrementAndGet(port(node));
    if (port(node) == 0) {
      throw new ConnectException("Connection refused");
    }
  }

  static final Transport.AfterLostReply<String> GONE_IS_DONE =
      e -> e.reason() == Reason.NOT_FOUND ? Optional.of("done") : Optional.empty();

  @Test
  @DisplayName("an answer after a broken connection may settle the request; after a refused one it stays an error")
  void settling() throws Exception {
    try (Failover f = nodes(2, Duration.ZERO)) {
      String settled =
          f.run(
              node -> {
                if (port(node) == 0) {
                  throw new IOException("connection reset");
                }
                throw answer(404, Reason.NOT_FOUND);
              },
              GONE_IS_DONE);
      assertThat(settled).isEqualTo("done");
    }
    try (Failover f = nodes(2, Duration.ZERO)) {
      assertThatThrownBy(
              () ->
                  f.run(
                      node -> {
                        if (port(node) == 0) {
                          throw new ConnectException("Connection refused");
                        }
                        throw answer(404, Reason.NOT_FOUND);
                      },
                      GONE_IS_DONE))
          .isInstanceOfSatisfying(EdfsException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    }
  }

  @Test
  @DisplayName("a broken connection is tried once more on the same node before the next")
  void sameNodeOnce() throws Exception {
    AtomicIntegerArray tries = new AtomicIntegerArray(2);
    try (Failover f = nodes(2, Duration.ZERO)) {
      String v =
          f.run(
              node -> {
                if (tries.incrementAndGet(port(node)) == 1) {
                  throw new IOException("connection closed before an answer");
                }
                return "ok from " + port(node);
              },
              Transport.AfterLostReply.none());
      assertThat(v).isEqualTo("ok from 0");
      assertThat(notices).isEmpty();
    }
  }

  @Test
  @DisplayName("stays with the node that answered, with one notice however many requests switched at once")
  void sticky() throws Exception {
    AtomicIntegerArray tries = new AtomicIntegerArray(3);
    try (Failover f = nodes(3, Duration.ZERO);
        var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> runs = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        runs.add(
            pool.submit(
                () ->
                    f.run(
                        node -> {
                          firstRefuses(tries, node);
                          return "ok";
                        },
                        Transport.AfterLostReply.<String>none())));
      }
      for (Future<String> r : runs) {
        assertThat(r.get()).isEqualTo("ok");
      }
      assertThat(notices).containsExactly("https://127.0.0.1:9001 is not answering; using https://127.0.0.1:9002");
      int before = tries.get(0);
      f.run(node -> "ok from " + port(node), Transport.AfterLostReply.none());
      assertThat(tries.get(0)).as("the failed node is not asked first any more").isEqualTo(before);
      assertThat(tries.get(2)).isZero();
    }
  }

  @Test
  @DisplayName("when no node answers, pauses between rounds until the budget is spent, then names every node")
  void rounds() throws Exception {
    AtomicIntegerArray tries = new AtomicIntegerArray(2);
    try (Failover f = nodes(2, Duration.ofSeconds(1))) {
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () ->
                  f.run(
                      node -> {
                        firstRefuses(tries, node);
                        throw answer(503, Reason.UNAVAILABLE);
                      },
                      Transport.AfterLostReply.none()))
          .isInstanceOfSatisfying(
              EdfsException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
                assertThat(e.getMessage())
                    .matches("no server answered \\([23] rounds in \\d+\\.\\d s\\): .*")
                    .endsWith(": https://127.0.0.1:9001 (connection refused), https://127.0.0.1:9002 (HTTP 503: answered 503)");
              });
      // pauses of 0.2 and 0.4 s; a third (0.8 s) would end after the 1 s budget
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(3));
      assertThat(tries.get(0)).isBetween(2, 3).isEqualTo(tries.get(1));
    }
  }

  @Test
  @DisplayName("a round in which every node answered 500 ends at once, with the server's error")
  void broken() throws Exception {
    AtomicIntegerArray tries = new AtomicIntegerArray(2);
    try (Failover f = nodes(2, Duration.ofSeconds(30))) {
      assertThatThrownBy(
              () ->
                  f.run(
                      node -> {
                        tries.incrementAndGet(port(node));
                        throw answer(500, Reason.SERVER_ERROR);
                      },
                      Transport.AfterLostReply.none()))
          .isInstanceOfSatisfying(EdfsException.class, e -> assertThat(e.reason()).isEqualTo(Reason.SERVER_ERROR));
      assertThat(tries.get(0) + tries.get(1)).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("one server fails as it always did: its own error, at once")
  void single() throws Exception {
    try (Failover f = nodes(1, Duration.ZERO)) {
      assertThatThrownBy(
              () -> f.run(node -> { throw new ConnectException("Connection refused"); }, Transport.AfterLostReply.none()))
          .isInstanceOfSatisfying(
              EdfsException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
                assertThat(e.getMessage()).isEqualTo("server unreachable: https://127.0.0.1:9001 (connection refused)");
              });
    }
  }
}
