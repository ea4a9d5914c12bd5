package io.edfs.server;

import static io.edfs.server.TestClient.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.Access;
import io.edfs.protocol.Account;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.GrantInfo;
import io.edfs.protocol.GrantList;
import io.edfs.protocol.GrantRequest;
import io.edfs.protocol.Mode;
import io.edfs.protocol.MoveRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.NodeList;
import io.edfs.protocol.Reseal;
import io.edfs.server.TestClient.Response;
import io.edfs.server.TestClient.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Authorization")
class AuthorizationIT {
  @TempDir static Path dir;
  static EdfsServer server;
  static TestClient client;
  static User owner;
  static User reader;
  static User writer;
  static User stranger;
  static User friend;

  enum Subject {
    OWNER,
    READER,
    WRITER,
    STRANGER
  }

  enum Target {
    SHARED_FILE(NodeKind.F, true),
    SHARED_FOLDER(NodeKind.D, true),
    FILE_IN_SHARED_FOLDER(NodeKind.F, false),
    FOLDER_IN_SHARED_FOLDER(NodeKind.D, false);

    final NodeKind kind;
    final boolean carriesGrant;

    Target(NodeKind kind, boolean carriesGrant) {
      this.kind = kind;
      this.carriesGrant = carriesGrant;
    }
  }

  enum Op {
    READ,
    LIST,
    CREATE_INSIDE,
    COMMIT,
    RENAME,
    MOVE,
    DELETE,
    GRANT
  }

  /** One owner tree: a shared file, a shared folder with a file, a folder and a move target. */
  record Fixture(
      NodeInfo sharedFile,
      NodeInfo sharedFolder,
      NodeInfo file,
      NodeInfo folder,
      NodeInfo destInside,
      NodeInfo destOutside) {
    NodeInfo node(Target t) {
      return switch (t) {
        case SHARED_FILE -> sharedFile;
        case SHARED_FOLDER -> sharedFolder;
        case FILE_IN_SHARED_FOLDER -> file;
        case FOLDER_IN_SHARED_FOLDER -> folder;
      };
    }
  }

  @BeforeAll
  static void start() throws Exception {
    server = EdfsServer.start(TestEngine.config(dir));
    client = new TestClient(server);
    owner = client.signup("owner");
    reader = client.signup("reader");
    writer = client.signup("writer");
    stranger = client.signup("stranger");
    friend = client.signup("friend");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Fixture fixture() {
    String tag = UUID.randomUUID().toString();
    NodeInfo sharedFile = client.mkfile(owner, owner.home(), "shared-file-" + tag);
    commit(owner, sharedFile);
    NodeInfo sharedFolder = client.mkdir(owner, owner.home(), "shared-folder-" + tag);
    NodeInfo file = client.mkfile(owner, sharedFolder.id(), "file");
    commit(owner, file);
    NodeInfo folder = client.mkdir(owner, sharedFolder.id(), "folder");
    client.mkfile(owner, folder.id(), "deeper");
    NodeInfo destInside = client.mkdir(owner, sharedFolder.id(), "dest");
    NodeInfo destOutside = client.mkdir(owner, owner.home(), "private-" + tag);
    for (NodeInfo shared : List.of(sharedFile, sharedFolder)) {
      grant(shared, reader, Mode.R);
      grant(shared, writer, Mode.W);
    }
    return new Fixture(sharedFile, sharedFolder, file, folder, destInside, destOutside);
  }

  static void grant(NodeInfo node, User to, Mode mode) {
    Response r =
        client.put(
            "/v1/nodes/" + node.id() + "/grants/" + to.id(),
            owner.token(),
            new GrantRequest(mode, client.randomBytes(120)));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
  }

  static Response commit(User as, NodeInfo file) {
    NodeInfo current = client.node(owner, file.id());
    CommitRequest c =
        client.commitRequest(
            owner,
            current.version() == null ? null : current.version().id(),
            client.randomBytes(500));
    Response r = client.commit(as, file.id(), c);
    if (as == owner) {
      assertThat(r.status()).as(r.text()).isEqualTo(200);
    }
    return r;
  }

  static User user(Subject s) {
    return switch (s) {
      case OWNER -> owner;
      case READER -> reader;
      case WRITER -> writer;
      case STRANGER -> stranger;
    };
  }

  /** The rules of DESIGN §3 Sharing, as a table. */
  static boolean allowed(Subject s, Target t, Op op) {
    if (s == Subject.OWNER) {
      return true;
    }
    if (s == Subject.STRANGER) {
      return false;
    }
    return switch (op) {
      case READ, LIST -> true;
      case CREATE_INSIDE, COMMIT -> s == Subject.WRITER;
      // never the node carrying the grant: only what lies below it
      case RENAME, MOVE, DELETE -> s == Subject.WRITER && !t.carriesGrant;
      case GRANT -> false;
    };
  }

  static Set<Op> applicable(Target t) {
    return t.kind == NodeKind.D
        ? EnumSet.complementOf(EnumSet.of(Op.COMMIT))
        : EnumSet.complementOf(EnumSet.of(Op.LIST, Op.CREATE_INSIDE));
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cells = new ArrayList<>();
    for (Target t : Target.values()) {
      for (Op op : applicable(t)) {
        for (Subject s : Subject.values()) {
          cells.add(Arguments.of(s, t, op, allowed(s, t, op)));
        }
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "{0} {2} {1}: allowed={3}")
  @MethodSource("matrix")
  @DisplayName("who may do what")
  void matrix(Subject subject, Target target, Op op, boolean allowed) {
    Fixture f = fixture();
    User u = user(subject);
    NodeInfo before = client.node(owner, f.node(target).id());
    Response r = perform(u, f, target, op);
    if (allowed) {
      assertThat(r.status()).as("%s %s %s: %s", subject, op, target, r.text()).isBetween(200, 299);
    } else {
      assertThat(r.status()).as("%s %s %s: %s", subject, op, target, r.text()).isEqualTo(403);
      assertThat(r.problemType()).isEqualTo("forbidden");
      // and nothing changed
      NodeInfo after = client.node(owner, before.id());
      assertThat(after.parentId()).isEqualTo(before.parentId());
      assertThat(after.encName()).isEqualTo(before.encName());
      assertThat(after.version()).isEqualTo(before.version());
      assertThat(
              client
                  .get("/v1/nodes/" + before.id() + "/grants", owner.token())
                  .as(GrantList.class)
                  .grants())
          .extracting(GrantInfo::granteeId)
          .doesNotContain(friend.id());
    }
  }

  private static Response perform(User u, Fixture f, Target target, Op op) {
    NodeInfo node = f.node(target);
    List<Reseal> reseals =
        target.carriesGrant
            ? List.of(
                new Reseal(reader.id(), client.randomBytes(120)),
                new Reseal(writer.id(), client.randomBytes(120)))
            : List.of();
    return switch (op) {
      case READ -> client.get("/v1/nodes/" + node.id(), u.token());
      case LIST -> client.get("/v1/nodes/" + node.id() + "/children", u.token());
      case CREATE_INSIDE -> client.create(u, node.id(), NodeKind.F, "new");
      case COMMIT -> commit(u, node);
      case RENAME ->
          client.patch(
              "/v1/nodes/" + node.id(),
              u.token(),
              new MoveRequest(
                  node.parentId(),
                  name("renamed-" + UUID.randomUUID()),
                  client.randomBytes(60),
                  reseals));
      case MOVE ->
          client.patch(
              "/v1/nodes/" + node.id(),
              u.token(),
              new MoveRequest(
                  target.carriesGrant ? f.destOutside().id() : f.destInside().id(),
                  name("moved"),
                  client.randomBytes(60),
                  reseals));
      case DELETE -> client.delete("/v1/nodes/" + node.id() + "?recursive=true", u.token());
      case GRANT ->
          client.put(
              "/v1/nodes/" + node.id() + "/grants/" + friend.id(),
              u.token(),
              new GrantRequest(Mode.R, client.randomBytes(120)));
    };
  }

  @Test
  @DisplayName("grantees see their access; only the owner sees the shared flag")
  void accessAndSharedFlag() {
    Fixture f = fixture();
    assertThat(client.node(owner, f.sharedFolder().id()).shared()).isTrue();
    assertThat(client.node(owner, f.sharedFolder().id()).access()).isEqualTo(Access.OWNER);
    NodeInfo asReader = client.node(reader, f.sharedFolder().id());
    assertThat(asReader.access()).isEqualTo(Access.READ);
    assertThat(asReader.shared()).isFalse();
    assertThat(client.node(writer, f.file().id()).access()).isEqualTo(Access.WRITE);
    assertThat(client.node(reader, f.file().id()).access()).isEqualTo(Access.READ);
    // a stronger grant deeper down wins for that subtree
    grant(f.folder(), reader, Mode.W);
    NodeList list =
        client
            .get("/v1/nodes/" + f.sharedFolder().id() + "/children", reader.token())
            .as(NodeList.class);
    assertThat(list.entries())
        .filteredOn(n -> n.id().equals(f.folder().id()))
        .singleElement()
        .extracting(NodeInfo::access)
        .isEqualTo(Access.WRITE);
    assertThat(list.entries())
        .filteredOn(n -> n.id().equals(f.file().id()))
        .singleElement()
        .extracting(NodeInfo::access)
        .isEqualTo(Access.READ);
    assertThat(client.create(reader, f.folder().id(), NodeKind.F, "mine").status()).isEqualTo(201);
  }

  @Test
  @DisplayName("a writer's new entries belong to the owner and count against the owner's quota")
  void writerCreatesForOwner() {
    Fixture f = fixture();
    long before = client.get("/v1/account", owner.token()).as(Account.class).usedBytes();
    NodeInfo made = client.mkfile(writer, f.sharedFolder().id(), "by-writer");
    assertThat(made.ownerId()).isEqualTo(owner.id());
    assertThat(made.access()).isEqualTo(Access.WRITE);
    CommitRequest c = client.commitRequest(writer, null, client.randomBytes(1234));
    assertThat(client.commit(writer, made.id(), c).status()).isEqualTo(200);
    assertThat(client.get("/v1/account", owner.token()).as(Account.class).usedBytes())
        .isEqualTo(before + 1234);
    assertThat(client.get("/v1/account", writer.token()).as(Account.class).usedBytes()).isZero();
    assertThat(client.node(owner, made.id()).version().authorId()).isEqualTo(writer.id());
  }

  @Test
  @DisplayName("a revoke takes effect at once")
  void revoke() {
    Fixture f = fixture();
    assertThat(client.get("/v1/nodes/" + f.file().id(), reader.token()).status()).isEqualTo(200);
    assertThat(
            client
                .delete(
                    "/v1/nodes/" + f.sharedFolder().id() + "/grants/" + reader.id(), owner.token())
                .status())
        .isEqualTo(204);
    Response after = client.get("/v1/nodes/" + f.file().id(), reader.token());
    assertThat(after.status()).isEqualTo(403);
    assertThat(
            client.get("/v1/nodes/" + f.sharedFolder().id() + "/children", reader.token()).status())
        .isEqualTo(403);
    assertThat(client.get("/v1/nodes/" + f.file().id(), writer.token()).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("grant listings: per node for the owner, given and received with names")
  void listings() {
    Fixture f = fixture();
    GrantList ofNode =
        client
            .get("/v1/nodes/" + f.sharedFolder().id() + "/grants", owner.token())
            .as(GrantList.class);
    assertThat(ofNode.grants())
        .extracting(GrantInfo::granteeName)
        .containsExactlyInAnyOrder("reader", "writer");
    assertThat(ofNode.grants())
        .allSatisfy(
            g -> {
              assertThat(g.ownerName()).isEqualTo("owner");
              assertThat(g.kind()).isEqualTo(NodeKind.D);
              assertThat(g.sealedKey()).hasSize(120);
            });
    assertThat(
            client.get("/v1/nodes/" + f.sharedFolder().id() + "/grants", writer.token()).status())
        .isEqualTo(403);

    GrantList given = client.get("/v1/grants/given", owner.token()).as(GrantList.class);
    assertThat(given.grants())
        .extracting(GrantInfo::nodeId)
        .contains(f.sharedFile().id(), f.sharedFolder().id());
    GrantList received = client.get("/v1/grants/received", reader.token()).as(GrantList.class);
    assertThat(received.grants())
        .filteredOn(g -> g.nodeId().equals(f.sharedFile().id()))
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.kind()).isEqualTo(NodeKind.F);
              assertThat(g.mode()).isEqualTo(Mode.R);
              assertThat(g.ownerId()).isEqualTo(owner.id());
              assertThat(g.ownerName()).isEqualTo("owner");
              assertThat(g.granteeName()).isEqualTo("reader");
            });
    assertThat(client.get("/v1/grants/received", stranger.token()).as(GrantList.class).grants())
        .isEmpty();
  }

  @Test
  @DisplayName("a grant changes mode in place; self-grants and unknown grantees are refused")
  void grantRules() {
    Fixture f = fixture();
    Response upgraded =
        client.put(
            "/v1/nodes/" + f.sharedFile().id() + "/grants/" + reader.id(),
            owner.token(),
            new GrantRequest(Mode.W, client.randomBytes(10)));
    assertThat(upgraded.as(GrantInfo.class).mode()).isEqualTo(Mode.W);
    assertThat(commit(reader, f.sharedFile()).status()).isEqualTo(200);
    Response self =
        client.put(
            "/v1/nodes/" + f.sharedFile().id() + "/grants/" + owner.id(),
            owner.token(),
            new GrantRequest(Mode.R, client.randomBytes(10)));
    assertThat(self.status()).isEqualTo(400);
    Response unknown =
        client.put(
            "/v1/nodes/" + f.sharedFile().id() + "/grants/" + UUID.randomUUID(),
            owner.token(),
            new GrantRequest(Mode.R, client.randomBytes(10)));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.problemType()).isEqualTo("unknown-user");
    Response noKey =
        client.put(
            "/v1/nodes/" + f.sharedFile().id() + "/grants/" + friend.id(),
            owner.token(),
            new GrantRequest(Mode.R, null));
    assertThat(noKey.status()).isEqualTo(400);
    Response missingNode =
        client.put(
            "/v1/nodes/" + UUID.randomUUID() + "/grants/" + friend.id(),
            owner.token(),
            new GrantRequest(Mode.R, client.randomBytes(10)));
    assertThat(missingNode.status()).isEqualTo(404);
  }

  @Test
  @DisplayName("renaming a shared node must re-seal every grant, in the same request")
  void reseal() {
    Fixture f = fixture();
    NodeInfo n = f.sharedFile();
    Response none =
        client.patch(
            "/v1/nodes/" + n.id(),
            owner.token(),
            new MoveRequest(n.parentId(), name("new-name"), client.randomBytes(60), List.of()));
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.problem().detail()).contains("reseal every grant");
    Response partial =
        client.patch(
            "/v1/nodes/" + n.id(),
            owner.token(),
            new MoveRequest(
                n.parentId(),
                name("new-name"),
                client.randomBytes(60),
                List.of(new Reseal(reader.id(), client.randomBytes(120)))));
    assertThat(partial.status()).isEqualTo(400);
    byte[] forReader = client.randomBytes(121);
    byte[] forWriter = client.randomBytes(122);
    Response ok =
        client.patch(
            "/v1/nodes/" + n.id(),
            owner.token(),
            new MoveRequest(
                n.parentId(),
                name("new-name"),
                client.randomBytes(60),
                List.of(new Reseal(reader.id(), forReader), new Reseal(writer.id(), forWriter))));
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
    GrantList grants =
        client.get("/v1/nodes/" + n.id() + "/grants", owner.token()).as(GrantList.class);
    assertThat(grants.grants())
        .filteredOn(g -> g.granteeId().equals(reader.id()))
        .singleElement()
        .extracting(GrantInfo::sealedKey)
        .isEqualTo(forReader);
    assertThat(grants.grants())
        .filteredOn(g -> g.granteeId().equals(writer.id()))
        .singleElement()
        .extracting(GrantInfo::sealedKey)
        .isEqualTo(forWriter);
  }

  @Test
  @DisplayName("deleting a shared node removes its grants")
  void deleteRemovesGrants() {
    Fixture f = fixture();
    assertThat(
            client
                .delete("/v1/nodes/" + f.sharedFolder().id() + "?recursive=true", owner.token())
                .status())
        .isEqualTo(204);
    assertThat(client.get("/v1/grants/received", reader.token()).as(GrantList.class).grants())
        .extracting(GrantInfo::nodeId)
        .doesNotContain(f.sharedFolder().id());
    assertThat(client.get("/v1/nodes/" + f.file().id(), reader.token()).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("missing nodes are 404 for everyone")
  void missing() {
    UUID nowhere = UUID.randomUUID();
    for (User u : List.of(owner, stranger)) {
      assertThat(client.get("/v1/nodes/" + nowhere, u.token()).status()).isEqualTo(404);
      assertThat(client.delete("/v1/nodes/" + nowhere, u.token()).status()).isEqualTo(404);
    }
  }
}
