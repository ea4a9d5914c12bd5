package io.edfs.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An HTTPS front for one edfs node that can lose an answer: armed with {@link #loseAnswerTo}, it
 * forwards the next matching request, lets the node do it and answer, throws the answer away and
 * goes down (its port then refuses connections), as a node that crashes right after doing what it
 * was asked. Until then every request passes through unchanged.
 *
 * <p>It ends TLS with the node's own identity (the node's {@code tls/} folder), as a
 * TLS-terminating load balancer does, so it sees requests and can tell them apart; towards the
 * node it is a client trusting the node's certificate alone. Requests must be HTTP/1.1 with a
 * {@code Content-Length} body or none, as the edfs client sends them.
 */
public final class LossyProxy implements AutoCloseable {
  private static final int MAX_HEAD = 64 << 10;
  /** An answer is complete when the node has sent nothing more for this long. */
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

  private final ServerSocket listener;
  private final SSLContext toNode;
  private final int nodePort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Pattern> lose = new AtomicReference<>();
  private final CompletableFuture<String> lost = new CompletableFuture<>();

  private LossyProxy(ServerSocket listener, SSLContext toNode, int nodePort) {
    this.listener = listener;
    this.toNode = toNode;
    this.nodePort = nodePort;
  }

  /**
   * Starts a proxy on a free port of 127.0.0.1 in front of the node on {@code nodePort} of
   * 127.0.0.1, whose data folder is {@code nodeDataDir} and certificate {@code fingerprint}.
   */
  public static LossyProxy start(Path nodeDataDir, String fingerprint, int nodePort) throws IOException {
    SSLContext asNode;
    try {
      char[] password = Files.readString(nodeDataDir.resolve("tls/server.p12.password"), StandardCharsets.UTF_8).strip().toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(nodeDataDir.resolve("tls/server.p12"))) {
        ks.load(in, password);
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      asNode = SSLContext.getInstance("TLS");
      asNode.init(kmf.getKeyManagers(), null, null);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load the node's TLS identity from " + nodeDataDir, e);
    }
    ServerSocket listener = asNode.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    LossyProxy proxy = new LossyProxy(listener, PinnedTls.context(fingerprint), nodePort);
    Thread.ofVirtual().name("lossy-proxy-accept").start(proxy::accept);
    return proxy;
  }

  /** {@code https://127.0.0.1:<port>} of the proxy. */
  public URI uri() {
    return URI.create("https://127.0.0.1:" + listener.getLocalPort());
  }

  /**
   * Loses the answer to the next request whose request line (e.g. {@code DELETE /v1/nodes/...
   * HTTP/1.1}) matches {@code requestLine}, then goes down.
   */
  public void loseAnswerTo(String requestLine) {
    lose.set(Pattern.compile(requestLine));
  }

  /** Waits until an answer was lost; returns the request line it answered. */
  public String awaitLost(Duration timeout) throws InterruptedException, TimeoutException {
    try {
      return lost.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Whether an answer was lost (and the proxy is down). */
  public boolean hasLost() {
    return lost.isDone();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        Thread.ofVirtual().name("lossy-proxy").start(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client;
        SSLSocket node = (SSLSocket) toNode.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), nodePort)) {
      sockets.add(node);
      node.startHandshake();
      AnswerPump answers = new AnswerPump(node.getInputStream(), client.getOutputStream());
      Thread pump = Thread.ofVirtual().name("lossy-proxy-answers").start(answers);
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = node.getOutputStream();
      while (true) {
        byte[] head = head(in);
        if (head == null) {
          break;
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String requestLine = text.substring(0, text.indexOf("\r\n"));
        Pattern armed = lose.get();
        boolean losing = armed != null && armed.matcher(requestLine).matches() && lose.compareAndSet(armed, null);
        if (losing) {
          answers.drop();
        }
        out.write(head);
        copy(in, out, contentLength(text));
        out.flush();
        if (losing) {
          answers.awaitAnswered();
          goDown(requestLine);
          return;
        }
      }
      node.shutdownOutput();
      pump.join();
    } catch (IOException | InterruptedException e) {
      // a side closed: this connection is over
    } finally {
      sockets.remove(client);
    }
  }

  /** Forwards the node's answers to the client, or counts and drops them once told to. */
  private static final class AnswerPump implements Runnable {
    private final InputStream from;
    private final OutputStream to;
    private volatile boolean dropping;
    private final AtomicLong dropped = new AtomicLong();
    private volatile long lastDropped;

    AnswerPump(InputStream from, OutputStream to) {
      this.from = from;
      this.to = to;
    }

    void drop() {
      dropping = true;
    }

    /** Waits until some answer was dropped and the node then went quiet. */
    void awaitAnswered() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        if (dropped.get() > 0 && System.nanoTime() - lastDropped > QUIET_NANOS) {
          return;
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException("the node did not answer the request whose answer was to be lost");
    }

    @Override
    public void run() {
      byte[] buf = new byte[64 << 10];
      try {
        for (int n; (n = from.read(buf)) != -1; ) {
          if (dropping) {
            lastDropped = System.nanoTime();
            dropped.addAndGet(n);
          } else {
            to.write(buf, 0, n);
            to.flush();
          }
        }
        to.close();
      } catch (IOException e) {
        // a side closed
      }
    }
  }

  /** A request's head up to and including the blank line; null at the end of the connection. */
  private static byte[] head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new EOFException("connection closed in a request head");
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
      if (head.size() > MAX_HEAD) {
        throw new IOException("request head too long");
      }
    }
    return head.toByteArray();
  }

  private static long contentLength(String head) throws IOException {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        if (name.equals("transfer-encoding")) {
          throw new IOException("chunked request bodies are not supported");
        }
        if (name.equals("content-length")) {
          return Long.parseLong(line.substring(colon + 1).trim());
        }
      }
    }
    return 0;
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buf = new byte[64 << 10];
    while (length > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, length));
      if (n < 0) {
        throw new EOFException("connection closed in a request body");
      }
      out.write(buf, 0, n);
      length -= n;
    }
  }

  /** Stops listening and cuts every connection, as a node that died. */
  private void goDown(String requestLine) {
    close();
    lost.complete(requestLine);
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing: nothing left to do
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing: nothing left to do
      }
    }
  }
}
