package io.edfs.client.internal;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/1.1 over plain blocking TLS sockets, for the two bulk requests only: {@code PUT} and
 * {@code GET} of a block. A pool of keep-alive connections, one per block in flight.
 *
 * <p>Why not {@code java.net.http.HttpClient}, which carries every other request: profiling a 1
 * GiB transfer showed its asynchronous pipeline (selector thread, flow-controlled subscribers,
 * a new ByteBuffer per TLS record, copies between them) costing more CPU than the encryption
 * and hashing themselves, and its many hot methods kept the JIT busy for seconds in a cold CLI.
 * Here a block is one {@code write} of the whole array into the socket (the JDK cuts it into
 * TLS records) and one read loop straight into the caller's array; the threads are virtual, so
 * blocking costs nothing.
 *
 * <p>Only what the edfs server sends is understood: a status line, headers, and a body framed
 * by {@code Content-Length} or {@code chunked}. Both requests are idempotent, so one that fails
 * on a reused connection before any answer arrived (the server closed it while idle) is
 * retried once on a new connection.
 *
 * <p>An exchange ends with a timeout when it overruns its time limit, or when no byte of the
 * block moved for the client's timeout (the one a connection gets): a node that froze (stopped,
 * not killed) keeps its connections open and silent, and a transfer should move to another node
 * long before the time limit of a whole block on a slow link. Thread-safe.
 */
final class BlockConnections implements AutoCloseable {
  /** Idle connections kept; more than the blocks in flight are never needed. */
  private static final int MAX_IDLE = 16;

  private static final int HEAD_BUFFER = 16 << 10;
  private static final int MAX_HEAD_LINE = 8 << 10;
  private static final int MAX_PROBLEM = 64 << 10;
  /** A body is written in pieces of this size, each one progress: a write that blocks shows. */
  private static final int WRITE_PIECE = 256 << 10;

  /** Closes the socket of an exchange that overruns its time: blocking writes have no timeout. */
  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private final SSLContext tls;
  private final String host;
  private final int port;
  private final String hostHeader;
  /** To connect, and the longest an exchange may go without a byte of its body moving. */
  private final Duration timeout;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  BlockConnections(SSLContext tls, String host, int port, Duration timeout) {
    this.tls = tls;
    // an IPv6 literal comes bracketed from a URI; sockets and TLS want it bare
    this.host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    this.port = port;
    this.hostHeader = host + ":" + port;
    this.timeout = timeout;
  }

  /** A response whose body has been read completely. */
  record Answer(int status, String contentType, byte[] body) {}

  /**
   * Sends {@code PUT path} with {@code body[0, length)}; returns the answer (its body read, at
   * most 64 KiB kept).
   */
  Answer put(String path, String authorization, byte[] body, int length, Duration timeout)
      throws IOException {
    return exchange("PUT", path, authorization, body, length, null, 0, timeout);
  }

  /**
   * Sends {@code GET path}. On a 2xx answer whose body is exactly {@code length} bytes, reads it
   * into {@code into[0, length)} and returns it with an empty body; any other answer is returned
   * with its body (a problem).
   *
   * @throws IOException also when a 2xx body has another length than {@code length}
   */
  Answer get(String path, String authorization, byte[] into, int length, Duration timeout)
      throws IOException {
    return exchange("GET", path, authorization, null, 0, into, length, timeout);
  }

  private Answer exchange(
      String method,
      String path,
      String authorization,
      byte[] body,
      int bodyLength,
      byte[] into,
      int intoLength,
      Duration timeout)
      throws IOException {
    byte[] head = head(method, path, authorization, body == null ? -1 : bodyLength);
    while (true) {
      Connection c = idle.pollFirst();
      boolean reused = c != null;
      if (c == null) {
        c = open();
      }
      Watch watch = new Watch(c, timeout, this.timeout);
      boolean keep = false;
      try {
        Answer a;
        try {
          a = c.exchange(head, body, bodyLength, into, intoLength);
        } catch (StaleConnection e) {
          // (not when the watchdog closed it: the time is up, and a retry would double it)
          if (reused && !c.aborted) {
            continue; // the server closed it while it was idle: try again on a new connection
          }
          throw (IOException) e.getCause();
        }
        keep = c.reusable;
        return a;
      } catch (IOException e) {
        if (c.aborted) {
          String why =
              watch.stalled
                  ? ": nothing moved for " + (this.timeout.toMillis() % 1000 == 0 ? this.timeout.toSeconds() + " s" : this.timeout.toMillis() + " ms")
                  : " after " + timeout.toSeconds() + " s";
          var timedOut = new HttpTimeoutException(method + " " + path + " timed out" + why);
          timedOut.initCause(e);
          throw timedOut;
        }
        throw e;
      } finally {
        // false if the watchdog has closed the connection (or is closing it): not kept
        boolean inTime = watch.finish();
        if (keep && inTime && !closed && idle.size() < MAX_IDLE) {
          idle.addFirst(c);
        } else {
          c.close();
        }
      }
    }
  }

  private byte[] head(String method, String path, String authorization, long contentLength) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(hostHeader).append("\r\n");
    sb.append("Accept: application/octet-stream, application/problem+json, application/json\r\n");
    if (authorization != null) {
      sb.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (contentLength >= 0) {
      sb.append("Content-Type: application/octet-stream\r\n");
      sb.append("Content-Length: ").append(contentLength).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private Connection open() throws IOException {
    Socket raw = new Socket();
    try {
      // small header writes must not wait for the ACK of the previous record (Nagle)
      raw.setTcpNoDelay(true);
      raw.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, true);
      // the exchange's watchdog starts only once connected: bound the handshake itself
      raw.setSoTimeout((int) timeout.toMillis());
      s.startHandshake();
      raw.setSoTimeout(0);
      return new Connection(raw, s);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Connection c; (c = idle.pollFirst()) != null; ) {
      c.close();
    }
  }

  /**
   * Aborts an exchange at its deadline, or once nothing moved for the quiet limit. Rescheduled
   * rather than periodic: one pending task per exchange, run once per quiet limit at most.
   */
  private static final class Watch implements Runnable {
    private final Connection c;
    private final long deadline;
    private final long quietNanos;
    /** Set before the abort when it came from the quiet limit, not the deadline. */
    volatile boolean stalled;

    private ScheduledFuture<?> next; // guarded by this
    private boolean over; // guarded by this: the exchange finished, or was aborted

    Watch(Connection c, Duration limit, Duration quiet) {
      this.c = c;
      long now = System.nanoTime();
      this.deadline = now + limit.toNanos();
      this.quietNanos = quiet.toNanos();
      c.lastProgress = now;
      synchronized (this) {
        next = WATCHDOG.schedule(this, Math.min(limit.toNanos(), quietNanos), TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public synchronized void run() {
      if (over) {
        return;
      }
      long now = System.nanoTime();
      long quietUntil = c.lastProgress + quietNanos;
      if (now - deadline >= 0 || now - quietUntil >= 0) {
        stalled = now - deadline < 0;
        over = true;
        c.abort();
        return;
      }
      next = WATCHDOG.schedule(this, Math.min(deadline - now, quietUntil - now), TimeUnit.NANOSECONDS);
    }

    /** Ends the watch: true if the exchange finished before the watch aborted it. */
    synchronized boolean finish() {
      if (over) {
        return false;
      }
      over = true;
      next.cancel(false);
      return true;
    }
  }

  /** A 2xx block download whose body is not the expected number of bytes. */
  static final class WrongLength extends IOException {
    WrongLength(String message) {
      super(message);
    }
  }

  /** A failure before any byte of the answer arrived, on which a fresh connection may retry. */
  private static final class StaleConnection extends Exception {
    StaleConnection(IOException cause) {
      super(cause);
    }
  }

  private static final class Connection {
    private final Socket raw;
    private final SSLSocket socket;
    private final OutputStream out;
    private final BufferedInputStream in;
    boolean reusable;
    /**
     * Set by the watchdog before it closes the socket. (Not the watchdog future's state: the
     * exchange can see its socket closed before that future is marked done.)
     */
    volatile boolean aborted;
    /** When a byte of the body last moved ({@link System#nanoTime()}), for the watchdog. */
    volatile long lastProgress;

    Connection(Socket raw, SSLSocket socket) throws IOException {
      this.raw = raw;
      this.socket = socket;
      this.out = socket.getOutputStream();
      // large reads bypass this buffer and go straight from the TLS layer into the caller's array
      this.in = new BufferedInputStream(socket.getInputStream(), HEAD_BUFFER);
    }

    Answer exchange(byte[] head, byte[] body, int bodyLength, byte[] into, int intoLength)
        throws IOException, StaleConnection {
      reusable = false;
      IOException writeFailure = null;
      try {
        out.write(head);
        if (body != null) {
          for (int off = 0; off < bodyLength; off += WRITE_PIECE) {
            out.write(body, off, Math.min(WRITE_PIECE, bodyLength - off));
            lastProgress = System.nanoTime();
          }
        }
        out.flush();
      } catch (IOException e) {
        // the server may have answered early (e.g. 401) and closed: read that answer if it is there
        writeFailure = e;
      }
      String statusLine;
      try {
        statusLine = line(true);
      } catch (IOException e) {
        throw new StaleConnection(writeFailure != null ? writeFailure : e);
      }
      int status;
      long contentLength;
      boolean chunked;
      boolean close;
      String contentType;
      while (true) {
        status = status(statusLine);
        contentLength = -1;
        chunked = false;
        close = writeFailure != null || statusLine.startsWith("HTTP/1.0");
        contentType = "";
        for (String h; !(h = line(false)).isEmpty(); ) {
          int colon = h.indexOf(':');
          if (colon <= 0) {
            throw new IOException("malformed header from the server");
          }
          String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
          String value = h.substring(colon + 1).trim();
          switch (name) {
            case "content-length" -> contentLength = parseLength(value);
            case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            case "connection" -> close |= value.toLowerCase(Locale.ROOT).contains("close");
            case "content-type" -> contentType = value;
            default -> {}
          }
        }
        if (status / 100 != 1) {
          break;
        }
        statusLine = line(false); // an interim answer (100 Continue): the real one follows
      }
      boolean noBody = status == 204 || status == 304;
      byte[] bodyBytes = new byte[0];
      if (noBody && status / 100 == 2 && into != null) {
        throw new WrongLength("block has the wrong length: expected " + intoLength + ", server sent none");
      } else if (noBody) {
        contentLength = 0;
      } else if (status / 100 == 2 && into != null) {
        if (chunked || contentLength != intoLength) {
          throw new WrongLength(
              "block has the wrong length: expected " + intoLength + ", server sent " + (chunked ? "chunked" : contentLength));
        }
        readFully(into, intoLength);
      } else if (chunked) {
        bodyBytes = readChunked();
      } else if (contentLength >= 0) {
        bodyBytes = readKeeping(contentLength);
      } else {
        close = true; // the body runs until the server closes
        bodyBytes = in.readNBytes(MAX_PROBLEM);
      }
      if (writeFailure != null && status / 100 == 2) {
        throw writeFailure; // a success for a body the server did not fully get cannot be
      }
      reusable = !close;
      return new Answer(status, contentType, bodyBytes);
    }

    private static int status(String statusLine) throws IOException {
      // HTTP/1.1 200 OK
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
        throw new IOException("not an HTTP/1.1 answer from the server");
      }
      try {
        return Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("malformed status line from the server");
      }
    }

    private static long parseLength(String value) throws IOException {
      try {
        long n = Long.parseLong(value);
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IOException("malformed Content-Length from the server");
      }
    }

    /** One CRLF-terminated header line, without the CRLF. */
    private String line(boolean first) throws IOException {
      StringBuilder sb = new StringBuilder(64);
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException(first ? "connection closed before an answer" : "connection closed in the headers");
        }
        if (b == '\n') {
          int len = sb.length();
          if (len > 0 && sb.charAt(len - 1) == '\r') {
            sb.setLength(len - 1);
          }
          return sb.toString();
        }
        if (sb.length() >= MAX_HEAD_LINE) {
          throw new IOException("header line too long from the server");
        }
        sb.append((char) b);
      }
    }

    private void readFully(byte[] into, int length) throws IOException {
      int done = 0;
      while (done < length) {
        int n = in.read(into, done, length - done);
        if (n < 0) {
          throw new EOFException("block ended after " + done + " of " + length + " bytes");
        }
        done += n;
        lastProgress = System.nanoTime();
      }
    }

    /** Reads a body of {@code length} bytes, keeping at most the first 64 KiB. */
    private byte[] readKeeping(long length) throws IOException {
      byte[] kept = in.readNBytes((int) Math.min(length, MAX_PROBLEM));
      if (kept.length < Math.min(length, MAX_PROBLEM)) {
        throw new EOFException("answer body cut short");
      }
      long skip = length - kept.length;
      while (skip > 0) {
        long n = in.skip(skip);
        if (n <= 0) {
          if (in.read() < 0) {
            throw new EOFException("answer body cut short");
          }
          n = 1;
        }
        skip -= n;
      }
      return kept;
    }

    private byte[] readChunked() throws IOException {
      java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
      while (true) {
        String sizeLine = line(false);
        int semi = sizeLine.indexOf(';');
        long size;
        try {
          size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("malformed chunk from the server");
        }
        if (size == 0) {
          while (!line(false).isEmpty()) {
            // trailers: ignored
          }
          return kept.toByteArray();
        }
        byte[] chunk = readKeeping(size);
        if (kept.size() < MAX_PROBLEM) {
          kept.write(chunk, 0, Math.min(chunk.length, MAX_PROBLEM - kept.size()));
        }
        line(false); // the CRLF after the chunk
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a broken connection: nothing left to do
      }
    }

    /**
     * Closes the TCP socket under the TLS one, from another thread, at once. Not {@link #close}:
     * SSLSocket.close() first sends close_notify under the lock a blocked write holds (a server
     * that stopped reading the body), so it would wait forever, and with it the one watchdog
     * thread. The blocked read or write fails; the exchange's own close() then finishes.
     */
    void abort() {
      aborted = true;
      try {
        raw.close();
      } catch (IOException ignored) {
        // closing a broken connection: nothing left to do
      }
    }
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread th = new Thread(r, "edfs-block-watchdog");
              th.setDaemon(true);
              return th;
            });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }
}
