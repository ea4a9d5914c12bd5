package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.Account;
import io.edfs.protocol.KdfParams;
import io.edfs.protocol.LoginRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.PreloginRequest;
import io.edfs.protocol.PreloginResponse;
import io.edfs.protocol.SessionResponse;
import io.edfs.protocol.SignupRequest;
import io.edfs.protocol.UserInfo;
import io.edfs.server.TestClient.Response;
import io.edfs.server.TestClient.User;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Accounts and sessions")
class AccountsIT {
  @TempDir static Path dir;
  static EdfsServer server;
  static TestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = EdfsServer.start(TestEngine.config(dir));
    client = new TestClient(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Nested
  @DisplayName("signup")
  class Signup {
    @Test
    @DisplayName("creates the account, its home folder and a session")
    void createsAccountAndHome() {
      byte[] authKey = client.randomBytes(32);
      SignupRequest req = client.signupRequest(TestClient.uniqueName("Alice"), authKey);
      Response r = client.post("/v1/signup", null, req);
      assertThat(r.status()).isEqualTo(201);
      SessionResponse s = r.as(SessionResponse.class);
      assertThat(s.token()).matches("[A-Za-z0-9_-]{43}");
      assertThat(s.expiresAt()).isAfter(Instant.now().plus(Duration.ofDays(29)));
      Account a = s.account();
      assertThat(a.userId()).isEqualTo(req.userId());
      assertThat(a.username()).isEqualTo(req.username().toLowerCase());
      assertThat(a.homeId()).isEqualTo(req.homeId());
      assertThat(a.homeWrappedKey()).isEqualTo(req.homeWrappedKey());
      assertThat(a.publicKeys()).isEqualTo(req.publicKeys());
      assertThat(a.privateKeys()).isEqualTo(req.privateKeys());
      assertThat(a.salt()).isEqualTo(req.salt());
      assertThat(a.kdf()).isEqualTo(req.kdf());
      assertThat(a.quotaBytes()).isEqualTo(Long.MAX_VALUE);
      assertThat(a.usedBytes()).isZero();

      Response home = client.get("/v1/nodes/" + req.homeId(), s.token());
      assertThat(home.status()).isEqualTo(200);
      NodeInfo h = home.as(NodeInfo.class);
      assertThat(h.kind()).isEqualTo(NodeKind.D);
      assertThat(h.parentId()).isNull();
      assertThat(h.encName()).isNull();
      assertThat(h.ownerId()).isEqualTo(req.userId());
      assertThat(h.wrappedKey()).isEqualTo(req.homeWrappedKey());

      Response account = client.get("/v1/account", s.token());
      assertThat(account.status()).isEqualTo(200);
      assertThat(account.as(Account.class).userId()).isEqualTo(req.userId());
    }

    @Test
    @DisplayName("refuses a taken username, whatever its case")
    void refusesTakenName() {
      String name = TestClient.uniqueName("bob");
      client.signup(name);
      Response again =
          client.post(
              "/v1/signup", null, client.signupRequest(name.toUpperCase(), client.randomBytes(32)));
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.problemType()).isEqualTo("user-exists");
    }

    @Test
    @DisplayName("refuses invalid usernames, key sizes and KDF parameters")
    void validates() {
      for (String bad : new String[] {"", "-abc", ".abc", "a b", "ä", "a/b", "x".repeat(65)}) {
        Response r =
            client.post("/v1/signup", null, client.signupRequest(bad, client.randomBytes(32)));
        assertThat(r.status()).as(bad).isEqualTo(400);
        assertThat(r.problem().detail()).contains("username");
      }
      SignupRequest ok =
          client.signupRequest(TestClient.uniqueName("carol"), client.randomBytes(32));
      assertThat(badSignup(withAuthKey(ok, client.randomBytes(31)))).contains("authKey");
      assertThat(badSignup(withSalt(ok, client.randomBytes(8)))).contains("salt");
      assertThat(badSignup(withKdf(ok, new KdfParams(4096, 3, 1)))).contains("kdf.memoryKib");
      assertThat(badSignup(withKdf(ok, new KdfParams(65536, 0, 1)))).contains("kdf.iterations");
      assertThat(badSignup(withKdf(ok, new KdfParams(65536, 3, 17)))).contains("kdf.parallelism");
      assertThat(badSignup(withKdf(ok, null))).contains("kdf");
      // nothing was created by the failed attempts
      Response r = client.post("/v1/signup", null, ok);
      assertThat(r.status()).isEqualTo(201);
    }

    private String badSignup(SignupRequest r) {
      Response resp = client.post("/v1/signup", null, r);
      assertThat(resp.status()).as(resp.text()).isEqualTo(400);
      return resp.problem().detail();
    }
  }

  @Nested
  @DisplayName("prelogin and login")
  class Login {
    @Test
    @DisplayName("prelogin returns the stored salt and parameters")
    void preloginKnownUser() {
      SignupRequest req =
          client.signupRequest(TestClient.uniqueName("dave"), client.randomBytes(32));
      assertThat(client.post("/v1/signup", null, req).status()).isEqualTo(201);
      PreloginResponse p =
          client
              .post("/v1/prelogin", null, new PreloginRequest(req.username()))
              .as(PreloginResponse.class);
      assertThat(p.salt()).isEqualTo(req.salt());
      assertThat(p.kdf()).isEqualTo(req.kdf());
    }

    @Test
    @DisplayName("prelogin for an unknown user returns a stable fake salt of the same shape")
    void preloginUnknownUser() {
      String ghost = TestClient.uniqueName("ghost");
      Response first = client.post("/v1/prelogin", null, new PreloginRequest(ghost));
      Response second = client.post("/v1/prelogin", null, new PreloginRequest(ghost.toUpperCase()));
      assertThat(first.status()).isEqualTo(200);
      PreloginResponse a = first.as(PreloginResponse.class);
      PreloginResponse b = second.as(PreloginResponse.class);
      assertThat(a.salt()).hasSize(16).isEqualTo(b.salt());
      assertThat(a.kdf()).isEqualTo(new KdfParams(65536, 3, 1));
      PreloginResponse other =
          client
              .post("/v1/prelogin", null, new PreloginRequest(ghost + "x"))
              .as(PreloginResponse.class);
      assertThat(other.salt()).isNotEqualTo(a.salt());
      // same JSON fields as for a real user
      User real = client.signup(TestClient.uniqueName("real"));
      Response realPre = client.post("/v1/prelogin", null, new PreloginRequest(real.name()));
      assertThat(jsonFields(realPre)).isEqualTo(jsonFields(first));
    }

    @Test
    @DisplayName("the fake salt survives a restart (it derives from the server secret)")
    void fakeSaltStableAcrossRestart(@TempDir Path other) throws Exception {
      byte[] before;
      try (EdfsServer s = EdfsServer.start(ServerConfig.defaults(other).withPort(0))) {
        before =
            new TestClient(s)
                .post("/v1/prelogin", null, new PreloginRequest("nobody"))
                .as(PreloginResponse.class)
                .salt();
      }
      try (EdfsServer s = EdfsServer.start(ServerConfig.defaults(other).withPort(0))) {
        byte[] after =
            new TestClient(s)
                .post("/v1/prelogin", null, new PreloginRequest("nobody"))
                .as(PreloginResponse.class)
                .salt();
        assertThat(after).isEqualTo(before);
      }
    }

    @Test
    @DisplayName("login with the right key opens a new session; logout ends it")
    void loginLogout() {
      User u = client.signup(TestClient.uniqueName("erin"));
      Response r =
          client.post("/v1/login", null, new LoginRequest(u.name().toUpperCase(), u.authKey()));
      assertThat(r.status()).isEqualTo(200);
      SessionResponse s = r.as(SessionResponse.class);
      assertThat(s.token()).isNotEqualTo(u.token());
      assertThat(s.account().userId()).isEqualTo(u.id());
      assertThat(client.get("/v1/account", s.token()).status()).isEqualTo(200);

      assertThat(client.post("/v1/logout", s.token(), null).status()).isEqualTo(204);
      Response after = client.get("/v1/account", s.token());
      assertThat(after.status()).isEqualTo(401);
      assertThat(after.problemType()).isEqualTo("unauthenticated");
      // the signup session is a different one and still works
      assertThat(client.get("/v1/account", u.token()).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("a wrong key and an unknown user get the same 401 invalid-credentials")
    void wrongKeyAndUnknownUserLookAlike() {
      User u = client.signup(TestClient.uniqueName("frank"));
      Response wrong =
          client.post("/v1/login", null, new LoginRequest(u.name(), client.randomBytes(32)));
      Response unknown =
          client.post(
              "/v1/login",
              null,
              new LoginRequest(TestClient.uniqueName("nobody"), client.randomBytes(32)));
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(unknown.status()).isEqualTo(401);
      assertThat(wrong.problemType()).isEqualTo("invalid-credentials");
      assertThat(unknown.text()).isEqualTo(wrong.text());
    }

    @Test
    @DisplayName(
        "after 5 failures in a minute the username is rate limited, even with the right key")
    void rateLimitsPerUsername() {
      User u = client.signup(TestClient.uniqueName("grace"));
      for (int i = 0; i < 5; i++) {
        assertThat(
                client
                    .post("/v1/login", null, new LoginRequest(u.name(), client.randomBytes(32)))
                    .status())
            .isEqualTo(401);
      }
      Response limited = client.post("/v1/login", null, new LoginRequest(u.name(), u.authKey()));
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.problemType()).isEqualTo("rate-limited");
      long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
      assertThat(retryAfter).isBetween(1L, 60L);
    }

    @Test
    @DisplayName("many failures from one address limit that address for every username")
    void rateLimitsPerAddress(@TempDir Path other) throws Exception {
      try (EdfsServer s = EdfsServer.start(ServerConfig.defaults(other).withPort(0))) {
        TestClient c = new TestClient(s);
        User victim = c.signup("victim");
        int status = 0;
        int attempts = 0;
        while (status != 429 && attempts < 50) {
          status =
              c.post("/v1/login", null, new LoginRequest("nobody" + attempts, c.randomBytes(32)))
                  .status();
          attempts++;
        }
        assertThat(status).isEqualTo(429);
        assertThat(attempts).isGreaterThan(5);
        assertThat(
                c.post("/v1/login", null, new LoginRequest(victim.name(), victim.authKey()))
                    .status())
            .isEqualTo(429);
      }
    }
  }

  @Nested
  @DisplayName("sessions")
  class Sessions {
    @Test
    @DisplayName("a missing, garbage or unknown token is 401 unauthenticated")
    void badTokens() {
      for (String token :
          new String[] {
            null,
            "",
            "garbage",
            "x".repeat(43),
            Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32])
          }) {
        Response r = client.get("/v1/account", token);
        assertThat(r.status()).as("token %s", token).isEqualTo(401);
        assertThat(r.problemType()).isEqualTo("unauthenticated");
      }
      Response basic = client.send("GET", "/v1/account", null, null);
      assertThat(basic.status()).isEqualTo(401);
    }

    @Test
    @DisplayName("an expired session is 401 unauthenticated")
    void expired(@TempDir Path other) throws Exception {
      try (EdfsServer s =
          EdfsServer.start(
              ServerConfig.defaults(other).withPort(0).withSessionTtl(Duration.ofMillis(300)))) {
        TestClient c = new TestClient(s);
        User u = c.signup("shortlived");
        assertThat(c.get("/v1/account", u.token()).status()).isEqualTo(200);
        Thread.sleep(400);
        Response r = c.get("/v1/account", u.token());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.problemType()).isEqualTo("unauthenticated");
      }
    }
  }

  @Test
  @DisplayName("users can be looked up by name for sharing")
  void userLookup() {
    User u = client.signup(TestClient.uniqueName("heidi"));
    User asker = client.signup(TestClient.uniqueName("ivan"));
    Response r = client.get("/v1/users/" + u.name().toUpperCase(), asker.token());
    assertThat(r.status()).isEqualTo(200);
    UserInfo info = r.as(UserInfo.class);
    assertThat(info.userId()).isEqualTo(u.id());
    assertThat(info.publicKeys()).hasSize(64);
    Response missing = client.get("/v1/users/" + TestClient.uniqueName("nobody"), asker.token());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.problemType()).isEqualTo("unknown-user");
    assertThat(client.get("/v1/users/" + u.name(), null).status()).isEqualTo(401);
  }

  private static java.util.Set<String> jsonFields(Response r) {
    try {
      var fields = new java.util.TreeSet<String>();
      io.edfs.protocol.Json.mapper().readTree(r.body()).fieldNames().forEachRemaining(fields::add);
      return fields;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static SignupRequest withAuthKey(SignupRequest r, byte[] k) {
    return new SignupRequest(
        r.userId(),
        r.username(),
        k,
        r.salt(),
        r.kdf(),
        r.publicKeys(),
        r.privateKeys(),
        r.homeId(),
        r.homeWrappedKey());
  }

  private static SignupRequest withSalt(SignupRequest r, byte[] s) {
    return new SignupRequest(
        r.userId(),
        r.username(),
        r.authKey(),
        s,
        r.kdf(),
        r.publicKeys(),
        r.privateKeys(),
        r.homeId(),
        r.homeWrappedKey());
  }

  private static SignupRequest withKdf(SignupRequest r, KdfParams k) {
    return new SignupRequest(
        r.userId(),
        r.username(),
        r.authKey(),
        r.salt(),
        k,
        r.publicKeys(),
        r.privateKeys(),
        r.homeId(),
        r.homeWrappedKey());
  }
}
