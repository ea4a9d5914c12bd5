package io.edfs.server;

import static io.edfs.server.TestClient.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.GrantList;
import io.edfs.protocol.GrantRequest;
import io.edfs.protocol.Mode;
import io.edfs.protocol.MoveRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.NodeList;
import io.edfs.server.TestClient.Response;
import io.edfs.server.TestClient.User;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change sent again with its idempotency key (after a lost answer) is answered as done and not
 * applied again, so a change made in between stays.
 */
@DisplayName("Idempotency keys")
class RequestKeysIT {
  static final String HEADER = "Idempotency-Key";
  @TempDir static Path dir;
  static EdfsServer server;
  static TestClient client;
  User alice;
  User bob;

  @BeforeAll
  static void start() throws Exception {
    server = EdfsServer.start(TestEngine.config(dir));
    client = new TestClient(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void users() {
    alice = client.signup(TestClient.uniqueName("alice"));
    bob = client.signup(TestClient.uniqueName("bob"));
  }

  /** 128 random bits, base64url, as the client makes them. */
  static String key() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(client.randomBytes(16));
  }

  Response move(User u, NodeInfo node, NodeInfo to, String newName, String... headers) {
    return client.send(
        "PATCH",
        "/v1/nodes/" + node.id(),
        u.token(),
        new MoveRequest(to.id(), name(newName), node.wrappedKey(), List.of()),
        headers);
  }

  /** Alice's node made by {@code request} with key {@code k}. */
  NodeInfo created(CreateNodeRequest request, String k) {
    Response first = client.send("POST", "/v1/nodes", alice.token(), request, HEADER, k);
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    return first.as(NodeInfo.class);
  }

  List<UUID> children(User u, NodeInfo folder) {
    return children(u, folder.id());
  }

  List<UUID> children(User u, UUID folder) {
    return client
        .get("/v1/nodes/" + folder + "/children", u.token())
        .as(NodeList.class)
        .entries()
        .stream()
        .map(NodeInfo::id)
        .toList();
  }

  List<UUID> grantees(User owner, NodeInfo node) {
    return client
        .get("/v1/nodes/" + node.id() + "/grants", owner.token())
        .as(GrantList.class)
        .grants()
        .stream()
        .map(g -> g.granteeId())
        .toList();
  }

  Response grant(NodeInfo node, User to, String... headers) {
    return client.send(
        "PUT",
        "/v1/nodes/" + node.id() + "/grants/" + to.id(),
        alice.token(),
        new GrantRequest(Mode.R, client.randomBytes(80)),
        headers);
  }

  Response revoke(NodeInfo node, User to, String... headers) {
    return client.send(
        "DELETE", "/v1/nodes/" + node.id() + "/grants/" + to.id(), alice.token(), null, headers);
  }

  @Test
  @DisplayName("a move sent again does not undo a move made in between")
  void move() {
    NodeInfo a = client.mkdir(alice, alice.home(), "a");
    NodeInfo b = client.mkdir(alice, alice.home(), "b");
    NodeInfo f = client.mkfile(alice, a.id(), "f");
    String k = key();
    assertThat(move(alice, f, b, "f", HEADER, k).status()).isEqualTo(200);
    assertThat(move(alice, f, a, "g").status()).as("moved back, without a key").isEqualTo(200);

    Response again = move(alice, f, b, "f", HEADER, k);
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.as(NodeInfo.class).parentId()).as("answered as it is now").isEqualTo(a.id());
    assertThat(again.as(NodeInfo.class).encName()).isEqualTo(name("g"));
    assertThat(children(alice, a)).containsExactly(f.id());
    assertThat(children(alice, b)).isEmpty();
  }

  @Test
  @DisplayName("a grant sent again does not undo a revoke, nor a revoke sent again a new grant")
  void grantAndRevoke() {
    NodeInfo f = client.mkfile(alice, alice.home(), "shared");
    String granted = key();
    assertThat(grant(f, bob, HEADER, granted).status()).isEqualTo(200);
    String revoked = key();
    assertThat(revoke(f, bob, HEADER, revoked).status()).isEqualTo(204);

    Response again = grant(f, bob, HEADER, granted);
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(grantees(alice, f)).as("still revoked").isEmpty();
    assertThat(client.get("/v1/nodes/" + f.id(), bob.token()).status()).isEqualTo(403);

    assertThat(grant(f, bob).status()).as("granted again, without a key").isEqualTo(200);
    assertThat(revoke(f, bob, HEADER, revoked).status()).isEqualTo(204);
    assertThat(grantees(alice, f)).as("still granted").containsExactly(bob.id());
  }

  @Test
  @DisplayName("a delete sent again is done, and leaves a new node of the same name")
  void delete() {
    NodeInfo f = client.mkfile(alice, alice.home(), "tmp");
    String k = key();
    String path = "/v1/nodes/" + f.id();
    assertThat(client.send("DELETE", path, alice.token(), null, HEADER, k).status()).isEqualTo(204);
    NodeInfo again = client.mkfile(alice, alice.home(), "tmp");

    assertThat(client.send("DELETE", path, alice.token(), null, HEADER, k).status())
        .as("done already")
        .isEqualTo(204);
    assertThat(client.send("DELETE", path, alice.token(), null, HEADER, key()).status())
        .as("another key: not found")
        .isEqualTo(404);
    assertThat(client.delete(path, alice.token()).status()).as("no key: as before").isEqualTo(404);
    assertThat(children(alice, alice.home())).containsExactly(again.id());
  }

  @Test
  @DisplayName("a create sent again after a delete does not bring the node back")
  void create() {
    UUID id = UUID.randomUUID();
    CreateNodeRequest request =
        new CreateNodeRequest(id, alice.home(), NodeKind.D, name("d"), client.randomBytes(60), null);
    String k = key();
    assertThat(client.send("POST", "/v1/nodes", alice.token(), request, HEADER, k).status())
        .isEqualTo(201);
    assertThat(client.send("POST", "/v1/nodes", alice.token(), request, HEADER, k).status())
        .as("sent again: answered as the first")
        .isEqualTo(200);
    assertThat(client.delete("/v1/nodes/" + id, alice.token()).status()).isEqualTo(204);

    Response again = client.send("POST", "/v1/nodes", alice.token(), request, HEADER, k);
    assertThat(again.status()).as(again.text()).isEqualTo(404);
    assertThat(again.text()).contains("has been deleted since");
    assertThat(children(alice, alice.home())).isEmpty();
  }

  @Test
  @DisplayName("a create sent again after a move answers the node as it is now, 404 once deleted")
  void createRenamed() {
    NodeInfo b = client.mkdir(alice, alice.home(), "b");
    UUID id = UUID.randomUUID();
    CreateNodeRequest request =
        new CreateNodeRequest(id, alice.home(), NodeKind.D, name("d"), client.randomBytes(60), null);
    String k = key();
    assertThat(move(alice, created(request, k), b, "e").status()).isEqualTo(200);

    Response again = client.send("POST", "/v1/nodes", alice.token(), request, HEADER, k);
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.as(NodeInfo.class).parentId()).as("answered as it is now").isEqualTo(b.id());
    assertThat(again.as(NodeInfo.class).encName()).isEqualTo(name("e"));
    assertThat(children(alice, b)).containsExactly(id);
    assertThat(children(alice, alice.home())).containsExactly(b.id());

    NodeInfo d = client.mkdir(alice, alice.home(), "d");
    assertThat(client.delete("/v1/nodes/" + id, alice.token()).status()).isEqualTo(204);
    Response deleted = client.send("POST", "/v1/nodes", alice.token(), request, HEADER, k);
    assertThat(deleted.status()).as(deleted.text()).isEqualTo(404);
    assertThat(children(alice, alice.home())).containsExactlyInAnyOrder(b.id(), d.id());
  }

  @Test
  @DisplayName(
      "a create with an inline version sent again after a rename, its old name taken, is answered")
  void inlineCreateRenamed() {
    byte[] data = client.randomBytes(3000);
    String hash = TestClient.sha256(data);
    CommitRequest version =
        new CommitRequest(
            UUID.randomUUID(), null, data.length, 65536, List.of(new BlockRef(hash, data.length)),
            data);
    UUID id = UUID.randomUUID();
    CreateNodeRequest request =
        new CreateNodeRequest(
            id, alice.home(), NodeKind.F, name("f"), client.randomBytes(60), version);
    String k = key();
    NodeInfo first = created(request, k);
    NodeInfo home = client.get("/v1/nodes/" + alice.home(), alice.token()).as(NodeInfo.class);
    assertThat(move(alice, first, home, "g").status()).isEqualTo(200);
    NodeInfo other = client.mkfile(alice, alice.home(), "f");

    Response again = client.send("POST", "/v1/nodes", alice.token(), request, HEADER, k);
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.as(NodeInfo.class).encName()).as("answered as it is now").isEqualTo(name("g"));
    assertThat(again.as(NodeInfo.class).version().id()).isEqualTo(version.versionId());
    assertThat(children(alice, alice.home())).containsExactlyInAnyOrder(id, other.id());
  }

  @Test
  @DisplayName("keys are per user: another user's same key changes nothing of theirs")
  void perUser() {
    String k = key();
    NodeInfo a = client.mkdir(alice, alice.home(), "a");
    NodeInfo fa = client.mkfile(alice, alice.home(), "f");
    assertThat(move(alice, fa, a, "f", HEADER, k).status()).isEqualTo(200);
    NodeInfo b = client.mkdir(bob, bob.home(), "b");
    NodeInfo fb = client.mkfile(bob, bob.home(), "f");

    Response moved = move(bob, fb, b, "f", HEADER, k);
    assertThat(moved.status()).as(moved.text()).isEqualTo(200);
    assertThat(children(bob, b)).as("bob's move is applied").containsExactly(fb.id());
  }

  @Test
  @DisplayName("a malformed key is 400 and changes nothing")
  void malformed() {
    NodeInfo a = client.mkdir(alice, alice.home(), "a");
    NodeInfo f = client.mkfile(alice, alice.home(), "f");
    for (String bad : List.of("short", "x".repeat(65), "not/base64url+chars==")) {
      Response r = move(alice, f, a, "f", HEADER, bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.problemType()).isEqualTo("bad-request");
      assertThat(r.text()).contains("Idempotency-Key must be 16 to 64 characters of base64url");
    }
    assertThat(children(alice, a)).isEmpty();
  }
}
