package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.Json;
import io.edfs.protocol.KdfParams;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.Problem;
import io.edfs.protocol.SessionResponse;
import io.edfs.protocol.SignupRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** A small HTTP client for the ITs: raw requests plus helpers for the common steps. */
final class TestClient {
  /** A response: status, headers, body bytes. */
  record Response(int status, HttpHeaders headers, byte[] body) {
    <T> T as(Class<T> type) {
      try {
        return Json.mapper().readValue(body, type);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read " + type.getSimpleName() + " from " + text(), e);
      }
    }

    String contentType() {
      return headers.firstValue("content-type").orElse("");
    }

    /** The problem body, after checking it is one. */
    Problem problem() {
      assertThat(contentType())
          .as("content type of %s", text())
          .startsWith("application/problem+json");
      Problem p = as(Problem.class);
      assertThat(p.status()).isEqualTo(status);
      return p;
    }

    /** The problem type, after checking the status. */
    String problemType() {
      return problem().type();
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A signed-up user. */
  record User(String name, UUID id, UUID home, String token, byte[] authKey) {}

  /** Pass as a header pair to {@link #send} to use {@code Expect: 100-continue}. */
  static final String[] EXPECT_CONTINUE = {"Expect", "100-continue"};

  final EdfsServer server;
  final HttpClient http;
  final SSLContext ssl;
  private final SecureRandom random = new SecureRandom();

  TestClient(EdfsServer server) {
    this.server = server;
    this.ssl = pinned(server.certificateFingerprint());
    this.http =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** An SSL context that trusts exactly the certificate with this SHA-256 fingerprint. */
  static SSLContext pinned(String fingerprint) {
    X509ExtendedTrustManager tm =
        new X509ExtendedTrustManager() {
          private void check(X509Certificate[] chain) throws CertificateException {
            try {
              String actual =
                  HexFormat.ofDelimiter(":")
                      .withUpperCase()
                      .formatHex(
                          MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
              if (!actual.equals(fingerprint)) {
                throw new CertificateException("fingerprint " + actual + " is not pinned");
              }
            } catch (GeneralSecurityException e) {
              throw new CertificateException(e);
            }
          }

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType)
              throws CertificateException {
            check(chain);
          }

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s)
              throws CertificateException {
            check(chain);
          }

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e)
              throws CertificateException {
            check(chain);
          }

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType)
              throws CertificateException {
            throw new CertificateException("client side only");
          }

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s)
              throws CertificateException {
            throw new CertificateException("client side only");
          }

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e)
              throws CertificateException {
            throw new CertificateException("client side only");
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {tm}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- raw requests ----

  /**
   * Sends a request. {@code body}: null (none), byte[] (octet-stream), String (raw JSON) or an
   * object (serialised to JSON).
   */
  Response send(String method, String path, String token, Object body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(60));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      if (headers[i].equals("Expect")) {
        b.expectContinue(true);
      } else {
        b.header(headers[i], headers[i + 1]);
      }
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpRequest.BodyPublisher publisher;
    try {
      if (body == null) {
        publisher = HttpRequest.BodyPublishers.noBody();
      } else if (body instanceof byte[] bytes) {
        b.header("Content-Type", "application/octet-stream");
        publisher = HttpRequest.BodyPublishers.ofByteArray(bytes);
      } else if (body instanceof String s) {
        b.header("Content-Type", "application/json");
        publisher = HttpRequest.BodyPublishers.ofString(s);
      } else {
        b.header("Content-Type", "application/json");
        publisher = HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body));
      }
      HttpResponse<byte[]> r =
          http.send(b.method(method, publisher).build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Response get(String path, String token) {
    return send("GET", path, token, null);
  }

  Response post(String path, String token, Object body) {
    return send("POST", path, token, body);
  }

  Response put(String path, String token, Object body) {
    return send("PUT", path, token, body);
  }

  Response patch(String path, String token, Object body) {
    return send("PATCH", path, token, body);
  }

  Response delete(String path, String token) {
    return send("DELETE", path, token, null);
  }

  // ---- helpers ----

  byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  SignupRequest signupRequest(String name, byte[] authKey) {
    return new SignupRequest(
        UUID.randomUUID(),
        name,
        authKey,
        randomBytes(16),
        new KdfParams(65536, 3, 1),
        randomBytes(64),
        randomBytes(96),
        UUID.randomUUID(),
        randomBytes(60));
  }

  User signup(String name) {
    byte[] authKey = randomBytes(32);
    SignupRequest req = signupRequest(name, authKey);
    Response r = post("/v1/signup", null, req);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    SessionResponse s = r.as(SessionResponse.class);
    return new User(
        s.account().username(), s.account().userId(), s.account().homeId(), s.token(), authKey);
  }

  /** A fresh unique username with a readable prefix. */
  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static byte[] name(String plain) {
    return plain.getBytes(StandardCharsets.UTF_8);
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  Response create(User u, UUID parent, NodeKind kind, String name) {
    return post(
        "/v1/nodes",
        u.token(),
        new CreateNodeRequest(UUID.randomUUID(), parent, kind, name(name), randomBytes(60), null));
  }

  NodeInfo mkdir(User u, UUID parent, String name) {
    Response r = create(u, parent, NodeKind.D, name);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.as(NodeInfo.class);
  }

  NodeInfo mkfile(User u, UUID parent, String name) {
    Response r = create(u, parent, NodeKind.F, name);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.as(NodeInfo.class);
  }

  /** Uploads a block; returns its hash. */
  String upload(User u, byte[] data) {
    String hash = sha256(data);
    Response r = put("/v1/blocks/" + hash, u.token(), data);
    assertThat(r.status()).as(r.text()).isEqualTo(204);
    return hash;
  }

  /** Uploads the blocks and builds a commit of them on {@code base}. */
  CommitRequest commitRequest(User u, UUID base, byte[]... blocks) {
    List<BlockRef> refs = new ArrayList<>();
    long size = 0;
    for (byte[] block : blocks) {
      refs.add(new BlockRef(upload(u, block), block.length));
      size += block.length;
    }
    return new CommitRequest(UUID.randomUUID(), base, size, 65536, refs);
  }

  Response commit(User u, UUID file, CommitRequest req) {
    return post("/v1/nodes/" + file + "/versions", u.token(), req);
  }

  NodeInfo node(User u, UUID id) {
    Response r = get("/v1/nodes/" + id, u.token());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.as(NodeInfo.class);
  }

  // ---- peeking into the database (read-only) for state the API does not expose ----

  long queryLong(String sql, Object... params) {
    String url = server.config().database();
    if (url == null) {
      url = "jdbc:sqlite:file:" + server.dataDir().resolve("edfs.db") + "?mode=ro";
    }
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i] instanceof UUID u ? u.toString() : params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
