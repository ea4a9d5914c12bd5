package io.edfs.client.internal;

import io.edfs.client.CertificateChangedException;
import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The nodes a client sends requests to, the one in use, and how a request moves between them.
 *
 * <p>A request goes to the node in use. When that node fails it (no connection, a broken or
 * timed-out exchange, an answer of 500 or more), the request goes to the next node in the list,
 * round robin, and the client then stays with the first node that answers: one notice says so.
 * A connection that broke without an answer is first tried once more on the same node (the node
 * may just have closed an idle connection as the request went out). Once every node failed a
 * round, further rounds follow after a pause (0.2 s doubling up to 2 s) while the failover budget
 * lasts, counted from the first failure; a round in which every node answered 500 ends it (a
 * bug, not an outage). A node that failed is not set aside: it is tried again when its turn
 * comes. A certificate that does not match its pin stops the request at once: that is an attack
 * or a changed server, never a reason to quietly use another node.
 *
 * <p>Every request is therefore sent again after a failure that may have come after the server
 * applied it (a lost answer); each caller makes that safe (ids chosen by the client, versions
 * committed by version id) and says, through {@link Transport.AfterLostReply}, what an error
 * answer means after such a failure. Thread-safe.
 */
final class Failover implements AutoCloseable {
  private static final long FIRST_PAUSE_MS = 200;
  private static final long LONGEST_PAUSE_MS = 2000;

  /** One node: its URI and its block connections. */
  record Node(URI uri, BlockConnections blocks) {}

  /** One try of a request on one node. */
  @FunctionalInterface
  interface Attempt<T> {
    /**
     * Sends the request to {@code node}.
     *
     * @return the successful answer
     * @throws ErrorAnswer for an answer of 300 or more
     * @throws IOException when no complete answer came
     */
    T send(Node node) throws IOException, ErrorAnswer;
  }

  /** An answer of 300 or more: its status and what it means for the caller. */
  static final class ErrorAnswer extends Exception {
    final int status;
    final EdfsException error;

    ErrorAnswer(int status, EdfsException error) {
      super(error.getMessage(), error, false, false);
      this.status = status;
      this.error = error;
    }
  }

  /** How a node failed a request, for the notice and the final message. */
  private record Failure(String why, boolean answered) {}

  private final List<Node> nodes;
  private final Duration budget;
  private final Consumer<String> notices;
  private final AtomicInteger current = new AtomicInteger();

  Failover(List<Node> nodes, Duration budget, Consumer<String> notices) {
    this.nodes = List.copyOf(nodes);
    this.budget = budget;
    this.notices = notices;
  }

  List<URI> uris() {
    return nodes.stream().map(Node::uri).toList();
  }

  /**
   * Runs {@code attempt} on the node in use, and on the others as described above.
   *
   * @param afterLostReply what an error answer means when an earlier attempt may have been applied
   */
  <T> T run(Attempt<T> attempt, Transport.AfterLostReply<T> afterLostReply) {
    int n = nodes.size();
    Failure[] failures = new Failure[n];
    EdfsException last = null;
    boolean maybeApplied = false;
    long firstFailure = System.nanoTime(); // set again at the first failure
    boolean failed = false;
    int rounds = 0;
    while (true) {
      int start = current.get();
      boolean allBroken = true;
      for (int k = 0; k < n; k++) {
        int i = (start + k) % n;
        Node node = nodes.get(i);
        boolean again = false;
        while (true) {
          try {
            T value = attempt.send(node);
            stayWith(start, i, failures);
            return value;
          } catch (ErrorAnswer a) {
            if (a.status < 500) {
              stayWith(start, i, failures); // it answers: a node that works
              if (maybeApplied) {
                Optional<T> done = afterLostReply.settle(a.error);
                if (done.isPresent()) {
                  return done.get();
                }
              }
              throw a.error;
            }
            // the server may have failed after its transaction committed (a broken connection
            // to the database as the commit went out); a proxy's 502/504 tells nothing either
            maybeApplied = true;
            allBroken &= a.status == 500;
            last = a.error;
            String detail = a.error.getMessage();
            failures[i] = new Failure("HTTP " + a.status + (detail.contains("HTTP " + a.status) ? "" : ": " + detail), true);
          } catch (IOException e) {
            Optional<CertificateChangedException> refusal = PinningTrustManager.refusal(e);
            if (refusal.isPresent()) {
              throw refusal.get();
            }
            boolean sent = !notSent(e);
            maybeApplied |= sent;
            allBroken = false;
            last = unreachable(node, e);
            failures[i] = new Failure(why(e), false);
            if (sent && !again && !timedOut(e)) {
              again = true;
              continue;
            }
          }
          break;
        }
        if (!failed) {
          failed = true;
          firstFailure = System.nanoTime();
        }
      }
      rounds++;
      long pause = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS << Math.min(rounds - 1, 10));
      long left = TimeUnit.NANOSECONDS.toMillis(firstFailure + budget.toNanos() - System.nanoTime());
      if (allBroken || pause >= left) {
        // one server: its own error, as a client of one server always reported it
        throw n == 1 || allBroken ? last : allFailed(failures, rounds, firstFailure, last);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EdfsException(Reason.IO, "interrupted", e);
      }
    }
  }

  /** After node {@code i} answered: it becomes the node in use, if {@code start} still was. */
  private void stayWith(int start, int i, Failure[] failures) {
    if (i != start && current.compareAndSet(start, i)) {
      Failure f = failures[start];
      String what = f != null && f.answered() ? "is unavailable (" + f.why() + ")" : "is not answering";
      notices.accept(nodes.get(start).uri() + " " + what + "; using " + nodes.get(i).uri());
    }
  }

  private EdfsException allFailed(Failure[] failures, int rounds, long firstFailure, EdfsException last) {
    List<String> each = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      each.add(nodes.get(i).uri() + " (" + failures[i].why() + ")");
    }
    double seconds = (System.nanoTime() - firstFailure) / 1e9;
    String tried = rounds == 1 ? "" : String.format(Locale.ROOT, " (%d rounds in %.1f s)", rounds, seconds);
    return new EdfsException(Reason.UNAVAILABLE, "no server answered" + tried + ": " + String.join(", ", each), last);
  }

  /** The request cannot have reached the node: no connection was made. */
  private static boolean notSent(IOException e) {
    return e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
  }

  private static boolean timedOut(IOException e) {
    return e instanceof HttpTimeoutException || e instanceof SocketTimeoutException;
  }

  static EdfsException unreachable(Node node, IOException e) {
    return new EdfsException(Reason.UNREACHABLE, "server unreachable: " + node.uri() + " (" + why(e) + ")", e);
  }

  private static String why(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "connection timed out";
    }
    if (e instanceof ConnectException || e instanceof ClosedChannelException) {
      return "connection refused";
    }
    return Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
  }

  @Override
  public void close() {
    nodes.forEach(node -> node.blocks().close());
  }
}
