package io.edfs.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.edfs.client.ClientOptions;
import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.VersionConflictException;
import io.edfs.protocol.ErrorType;
import io.edfs.protocol.Json;
import io.edfs.protocol.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.channels.ClosedChannelException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * REST v1 over HTTPS: JSON in and out, binary blocks, problem+json mapped to {@link
 * EdfsException}. Thread-safe; one instance per server connection pool.
 */
public final class Transport implements AutoCloseable {
  static {
    // The JDK client retries a request only when a reused keep-alive connection turned out to
    // be closed before any answer. Creates, commits and moves are safe to send twice (ids and
    // version ids are chosen by the client, so a repeat answers as the first did); a repeated
    // delete or signup may answer "not found" / "taken" for what did succeed, which is rare
    // and visible. Keep-alive shorter than the server's idle timeout (60 s) makes the case rare
    // in the first place. (JVM-wide properties, read when java.net.http first loads.)
    if (System.getProperty("jdk.httpclient.enableAllMethodRetry") == null) {
      System.setProperty("jdk.httpclient.enableAllMethodRetry", "true");
    }
    if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
      System.setProperty("jdk.httpclient.keepalive.timeout", "20");
    }
  }

  private static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(5);

  private final URI base;
  private final String hostPort;
  private final HttpClient http;
  private final BlockConnections blocks;
  private final PinningTrustManager trust;
  private final Duration timeout;
  private final String token;

  private Transport(Transport shared, String token) {
    this.base = shared.base;
    this.hostPort = shared.hostPort;
    this.http = shared.http;
    this.blocks = shared.blocks;
    this.trust = shared.trust;
    this.timeout = shared.timeout;
    this.token = token;
  }

  public Transport(ClientOptions options) {
    this.base = options.server();
    int port = base.getPort() == -1 ? 443 : base.getPort();
    this.hostPort = base.getHost() + ":" + port;
    this.timeout = options.timeout();
    this.trust = new PinningTrustManager(new KnownServers(options.knownServers()), options.notices());
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {trust}, new SecureRandom());
      this.http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(tls)
              .connectTimeout(options.timeout())
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
      this.blocks = new BlockConnections(tls, base.getHost(), port, options.timeout());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS unavailable", e);
    }
    this.token = null;
  }

  public URI server() {
    return base;
  }

  /** A view of this transport (sharing its connections) that sends {@code token}. */
  public Transport withToken(String token) {
    return new Transport(this, token);
  }

  public <T> T get(String path, Class<T> type) {
    return json("GET", path, null, type);
  }

  /** Sends {@code body} (nullable: none) as JSON and reads the answer as {@code type}. */
  public <T> T json(String method, String path, Object body, Class<T> type) {
    HttpResponse<InputStream> response = send(request(method, path, body, timeout));
    try (InputStream in = response.body()) {
      return Json.mapper().readValue(in, type);
    } catch (IOException e) {
      throw new EdfsException(Reason.SERVER_ERROR, "unreadable answer from " + base + ": " + e.getMessage(), e);
    }
  }

  /** Sends a request whose answer has no body. */
  public void call(String method, String path, Object body) {
    HttpResponse<InputStream> response = send(request(method, path, body, timeout));
    drain(response);
  }

  /** Uploads one block (idempotent). */
  public void putBlock(String hash, byte[] data, int length) {
    BlockConnections.Answer a;
    try {
      a = blocks.put("/v1/blocks/" + hash, authorization(), data, length, BLOCK_TIMEOUT);
    } catch (IOException e) {
      throw mapIo(e);
    }
    if (a.status() >= 300) {
      throw problem(a.status(), a.contentType(), a.body());
    }
  }

  /**
   * Downloads a block of exactly {@code length} bytes into {@code into[0, length)}.
   *
   * @throws IOException if the server sends another number of bytes
   */
  public void readBlock(String path, byte[] into, int length) throws IOException {
    BlockConnections.Answer a;
    try {
      a = blocks.get(path, authorization(), into, length, BLOCK_TIMEOUT);
    } catch (BlockConnections.WrongLength e) {
      throw e;
    } catch (IOException e) {
      throw mapIo(e);
    }
    if (a.status() >= 300) {
      throw problem(a.status(), a.contentType(), a.body());
    }
  }

  private String authorization() {
    return token == null ? null : "Bearer " + token;
  }

  private HttpRequest request(String method, String path, Object body, Duration timeout) {
    HttpRequest.Builder b = authorized(HttpRequest.newBuilder(base.resolve(path))).timeout(timeout);
    if (body == null) {
      b.method(method, BodyPublishers.noBody());
    } else {
      try {
        b.header("Content-Type", "application/json")
            .method(method, BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body)));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("cannot encode " + body.getClass().getSimpleName(), e);
      }
    }
    return b.build();
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder b) {
    String t = token;
    b.header("Accept", "application/json, application/problem+json, application/octet-stream");
    return t == null ? b : b.header("Authorization", "Bearer " + t);
  }

  private HttpResponse<InputStream> send(HttpRequest request) {
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EdfsException(Reason.IO, "interrupted", e);
    } catch (IOException e) {
      throw mapIo(e);
    }
    if (response.statusCode() >= 400) {
      throw problem(response);
    }
    return response;
  }

  private RuntimeException mapIo(IOException e) {
    var refusal = trust.refusal(hostPort);
    if (refusal != null && (e instanceof SSLException || e.getCause() instanceof SSLException)) {
      return refusal;
    }
    String why =
        e instanceof HttpConnectTimeoutException
            ? "connection timed out"
            : e instanceof ConnectException || e instanceof ClosedChannelException
                ? "connection refused"
                : Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
    return new EdfsException(Reason.UNREACHABLE, "server unreachable: " + base + " (" + why + ")", e);
  }

  private static EdfsException problem(HttpResponse<InputStream> response) {
    byte[] bytes = new byte[0];
    try (InputStream in = response.body()) {
      bytes = in.readNBytes(64 * 1024);
    } catch (IOException ignored) {
      // fall through to a generic error below
    }
    return problem(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), bytes);
  }

  private static EdfsException problem(int status, String contentType, byte[] bytes) {
    Problem p = null;
    if (contentType.contains("json")) {
      try {
        p = Json.mapper().readValue(bytes, Problem.class);
      } catch (IOException ignored) {
        // fall through to a generic error below
      }
    }
    if (p == null || p.type() == null) {
      return new EdfsException(
          status >= 500 ? Reason.SERVER_ERROR : Reason.BAD_REQUEST, "server answered HTTP " + status);
    }
    String detail = p.detail() != null ? p.detail() : p.title() != null ? p.title() : p.type();
    ErrorType type = ErrorType.fromSlug(p.type()).orElse(status >= 500 ? ErrorType.INTERNAL : ErrorType.BAD_REQUEST);
    if (type == ErrorType.VERSION_CONFLICT) {
      return new VersionConflictException(detail, Optional.ofNullable(p.currentVersionId()));
    }
    return new EdfsException(reason(type), detail);
  }

  static Reason reason(ErrorType type) {
    return switch (type) {
      case INVALID_CREDENTIALS -> Reason.INVALID_CREDENTIALS;
      case UNKNOWN_USER -> Reason.UNKNOWN_USER;
      case USER_EXISTS -> Reason.USER_EXISTS;
      case UNAUTHENTICATED -> Reason.UNAUTHENTICATED;
      case NAME_EXISTS -> Reason.NAME_EXISTS;
      case NOT_FOUND -> Reason.NOT_FOUND;
      case FORBIDDEN -> Reason.FORBIDDEN;
      case INVALID_NAME -> Reason.INVALID_NAME;
      case VERSION_CONFLICT -> Reason.VERSION_CONFLICT;
      case NOT_EMPTY -> Reason.NOT_EMPTY;
      case INVALID_MOVE -> Reason.INVALID_MOVE;
      case QUOTA_EXCEEDED -> Reason.QUOTA_EXCEEDED;
      case RATE_LIMITED -> Reason.RATE_LIMITED;
      case TOO_LARGE -> Reason.TOO_LARGE;
      case BAD_REQUEST, HASH_MISMATCH, MISSING_BLOCKS -> Reason.BAD_REQUEST;
      case UNAVAILABLE -> Reason.UNAVAILABLE;
      case INTERNAL -> Reason.SERVER_ERROR;
    };
  }

  private static void drain(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException ignored) {
      // the answer was already judged by its status; a broken tail changes nothing
    }
  }

  @Override
  public void close() {
    blocks.close();
    http.close();
  }
}
