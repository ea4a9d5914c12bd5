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
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * REST v1 over HTTPS to the nodes of {@link ClientOptions#servers()}: JSON in and out, binary
 * blocks, problem+json mapped to {@link EdfsException}, failover between nodes as {@link Failover}
 * describes. Thread-safe; one instance per client (its views per token share its connections).
 */
public final class Transport implements AutoCloseable {
  static {
    // Keep-alive shorter than the server's idle timeout (60 s) makes a connection the server
    // closed while idle rare. Requests that are not GETs are not retried inside the JDK client
    // (jdk.httpclient.enableAllMethodRetry stays unset): Failover retries them, knowing that an
    // answer may have been lost, which a hidden retry would not tell. (JVM-wide, read when
    // java.net.http first loads.)
    if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
      System.setProperty("jdk.httpclient.keepalive.timeout", "20");
    }
  }

  private static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(5);

  /**
   * Carries a random key on every request that changes something, the same on each time the
   * request is sent again: the server applies a change once per key, so a change sent again after
   * its answer was lost cannot undo a later one (a move, a share, a revoke made meanwhile).
   */
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private static final SecureRandom KEYS = new SecureRandom();

  /**
   * What an error answer means when it comes to a request sent again after an attempt whose
   * answer was lost (the server may have applied that attempt).
   */
  @FunctionalInterface
  public interface AfterLostReply<T> {
    /**
     * The request's result if {@code answer} shows that the lost attempt did what was asked,
     * else empty ({@code answer} is then the request's error).
     */
    Optional<T> settle(EdfsException answer);

    /** Every error answer stands. */
    static <T> AfterLostReply<T> none() {
      return answer -> Optional.empty();
    }
  }

  private final Failover nodes;
  private final HttpClient http;
  private final Duration timeout;
  private final String token;

  private Transport(Transport shared, String token) {
    this.nodes = shared.nodes;
    this.http = shared.http;
    this.timeout = shared.timeout;
    this.token = token;
  }

  public Transport(ClientOptions options) {
    this.timeout = options.timeout();
    var trust = new PinningTrustManager(new KnownServers(options.knownServers()), options.notices());
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
      List<Failover.Node> list = new ArrayList<>();
      for (URI server : options.servers()) {
        int port = server.getPort() == -1 ? 443 : server.getPort();
        list.add(new Failover.Node(server, new BlockConnections(tls, server.getHost(), port, options.timeout())));
      }
      this.nodes = new Failover(list, options.failover(), options.notices());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS unavailable", e);
    }
    this.token = null;
  }

  /** The servers this transport may send requests to, in the order given. */
  public List<URI> servers() {
    return nodes.uris();
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
    return json(method, path, body, type, AfterLostReply.none());
  }

  /** As {@link #json(String, String, Object, Class)}, settling error answers after a lost one. */
  public <T> T json(String method, String path, Object body, Class<T> type, AfterLostReply<T> afterLostReply) {
    return exchange(method, path, body, bytes -> parse(bytes, type), afterLostReply);
  }

  /** Sends a request whose answer has no body. */
  public void call(String method, String path, Object body) {
    exchange(method, path, body, bytes -> bytes, AfterLostReply.none());
  }

  /**
   * Sends a request that removes something (a node, a session): after a lost answer, an answer
   * of {@code gone} (it is not there) means the lost attempt removed it. A first attempt that
   * answers {@code gone} stays an error: that is not this request's doing.
   */
  public void remove(String method, String path, Reason gone) {
    exchange(
        method,
        path,
        null,
        bytes -> bytes,
        answer -> answer.reason() == gone ? Optional.of(new byte[0]) : Optional.empty());
  }

  /** Uploads one block (idempotent: blocks are named by their hash). */
  public void putBlock(String hash, byte[] data, int length) {
    nodes.run(
        node -> requireSuccess(node.blocks().put("/v1/blocks/" + hash, authorization(), data, length, BLOCK_TIMEOUT)),
        AfterLostReply.none());
  }

  /**
   * Downloads a block of exactly {@code length} bytes into {@code into[0, length)}.
   *
   * @throws IOException if the server sends another number of bytes
   */
  public void readBlock(String path, byte[] into, int length) throws IOException {
    try {
      nodes.run(
          node -> {
            try {
              return requireSuccess(node.blocks().get(path, authorization(), into, length, BLOCK_TIMEOUT));
            } catch (BlockConnections.WrongLength e) {
              throw new UncheckedIOException(e); // a wrong answer, not a failing node: no failover
            }
          },
          AfterLostReply.none());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * As {@link #readBlock}, for a small file's only block: over the connection the JSON requests
   * use, so that a short command (cat of a small file) makes one TLS handshake, not two.
   */
  public void readSmallBlock(String path, byte[] into, int length) throws IOException {
    byte[] body = exchange("GET", path, null, bytes -> bytes, AfterLostReply.none());
    if (body.length != length) {
      throw new BlockConnections.WrongLength("expected " + length + " bytes, got " + body.length);
    }
    System.arraycopy(body, 0, into, 0, length);
  }

  private static BlockConnections.Answer requireSuccess(BlockConnections.Answer a) throws Failover.ErrorAnswer {
    if (a.status() >= 300) {
      throw new Failover.ErrorAnswer(a.status(), problem(a.status(), a.contentType(), a.body()));
    }
    return a;
  }

  private String authorization() {
    return token == null ? null : "Bearer " + token;
  }

  private <T> T exchange(
      String method, String path, Object body, Function<byte[], T> read, AfterLostReply<T> afterLostReply) {
    byte[] json = body == null ? null : encode(body);
    Optional<String> key = method.equals("GET") ? Optional.empty() : Optional.of(newKey());
    return nodes.run(
        node -> {
          HttpResponse<byte[]> response;
          try {
            response = http.send(request(node.uri(), method, path, json, key), BodyHandlers.ofByteArray());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EdfsException(Reason.IO, "interrupted", e);
          }
          int status = response.statusCode();
          if (status >= 300) {
            throw new Failover.ErrorAnswer(
                status, problem(status, response.headers().firstValue("Content-Type").orElse(""), response.body()));
          }
          try {
            return read.apply(response.body());
          } catch (UncheckedIOException e) {
            throw new EdfsException(
                Reason.SERVER_ERROR, "unreadable answer from " + node.uri() + ": " + e.getCause().getMessage(), e.getCause());
          }
        },
        afterLostReply);
  }

  private static byte[] encode(Object body) {
    try {
      return Json.mapper().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + body.getClass().getSimpleName(), e);
    }
  }

  private static <T> T parse(byte[] bytes, Class<T> type) {
    try {
      return Json.mapper().readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** 128 random bits, base64url. */
  static String newKey() {
    byte[] bytes = new byte[16];
    KEYS.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private HttpRequest request(URI base, String method, String path, byte[] json, Optional<String> key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Accept", "application/json, application/problem+json, application/octet-stream");
    key.ifPresent(k -> b.header(IDEMPOTENCY_KEY, k));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (json == null) {
      b.method(method, BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, BodyPublishers.ofByteArray(json));
    }
    return b.build();
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

  @Override
  public void close() {
    nodes.close();
    http.close();
  }
}
