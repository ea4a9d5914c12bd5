package io.edfs.server;

import static io.edfs.server.TestClient.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.Access;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.MoveRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.NodeList;
import io.edfs.server.TestClient.Response;
import io.edfs.server.TestClient.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Folders and files")
class NodesIT {
  @TempDir static Path dir;
  static EdfsServer server;
  static TestClient client;
  User alice;

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
  void user() {
    alice = client.signup(TestClient.uniqueName("alice"));
  }

  @Nested
  @DisplayName("create, list and look up")
  class Create {
    @Test
    @DisplayName("creates folders and files and lists them")
    void createAndList() {
      NodeInfo docs = client.mkdir(alice, alice.home(), "docs");
      assertThat(docs.kind()).isEqualTo(NodeKind.D);
      assertThat(docs.parentId()).isEqualTo(alice.home());
      assertThat(docs.ownerId()).isEqualTo(alice.id());
      assertThat(docs.access()).isEqualTo(Access.OWNER);
      assertThat(docs.shared()).isFalse();
      assertThat(docs.version()).isNull();
      NodeInfo file = client.mkfile(alice, docs.id(), "a.txt");
      assertThat(file.kind()).isEqualTo(NodeKind.F);
      assertThat(file.size()).isZero();
      client.mkfile(alice, docs.id(), "b.txt");

      NodeList list =
          client.get("/v1/nodes/" + docs.id() + "/children", alice.token()).as(NodeList.class);
      assertThat(list.entries())
          .extracting(n -> new String(n.encName()))
          .containsExactlyInAnyOrder("a.txt", "b.txt");
      assertThat(list.entries()).allSatisfy(n -> assertThat(n.access()).isEqualTo(Access.OWNER));
      NodeList home =
          client.get("/v1/nodes/" + alice.home() + "/children", alice.token()).as(NodeList.class);
      assertThat(home.entries()).extracting(NodeInfo::id).containsExactly(docs.id());
    }

    @Test
    @DisplayName("looks a child up by its encrypted name in base64url, padded or not")
    void lookupByName() {
      byte[] weird = {(byte) 0xfb, (byte) 0xff, 0x3e, 0x3f};
      Response created =
          client.post(
              "/v1/nodes",
              alice.token(),
              new CreateNodeRequest(
                  UUID.randomUUID(),
                  alice.home(),
                  NodeKind.F,
                  weird,
                  client.randomBytes(40),
                  null));
      assertThat(created.status()).isEqualTo(201);
      String unpadded = Base64.getUrlEncoder().withoutPadding().encodeToString(weird);
      String padded = Base64.getUrlEncoder().encodeToString(weird);
      for (String q : List.of(unpadded, padded.replace("=", "%3D"))) {
        Response r = client.get("/v1/nodes/" + alice.home() + "/children?name=" + q, alice.token());
        assertThat(r.status()).as(q).isEqualTo(200);
        assertThat(r.as(NodeInfo.class).id()).isEqualTo(created.as(NodeInfo.class).id());
      }
      Response missing =
          client.get("/v1/nodes/" + alice.home() + "/children?name=bm9wZQ", alice.token());
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.problemType()).isEqualTo("not-found");
    }

    @Test
    @DisplayName("a duplicate name in the same folder is 409 name-exists")
    void duplicateName() {
      client.mkdir(alice, alice.home(), "same");
      Response again = client.create(alice, alice.home(), NodeKind.F, "same");
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.problemType()).isEqualTo("name-exists");
    }

    @Test
    @DisplayName("20 concurrent creates of one name: exactly one succeeds, one row exists")
    void raceOnName() throws Exception {
      NodeInfo folder = client.mkdir(alice, alice.home(), "race");
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        tasks.add(() -> client.create(alice, folder.id(), NodeKind.F, "contended").status());
      }
      List<Integer> statuses = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
        for (Future<Integer> f : pool.invokeAll(tasks)) {
          statuses.add(f.get());
        }
      }
      assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
      assertThat(statuses).filteredOn(s -> s == 409).hasSize(19);
      assertThat(
              client
                  .get("/v1/nodes/" + folder.id() + "/children", alice.token())
                  .as(NodeList.class)
                  .entries())
          .hasSize(1);
      assertThat(client.queryLong("SELECT COUNT(*) FROM nodes WHERE parent_id = ?", folder.id()))
          .isEqualTo(1);
    }

    @Test
    @DisplayName(
        "retrying a create with the same id returns the node with 200; a different one is refused")
    void idempotentCreate() {
      CreateNodeRequest req =
          new CreateNodeRequest(
              UUID.randomUUID(),
              alice.home(),
              NodeKind.D,
              name("retry"),
              client.randomBytes(40),
              null);
      assertThat(client.post("/v1/nodes", alice.token(), req).status()).isEqualTo(201);
      Response again = client.post("/v1/nodes", alice.token(), req);
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.as(NodeInfo.class).id()).isEqualTo(req.id());
      Response other =
          client.post(
              "/v1/nodes",
              alice.token(),
              new CreateNodeRequest(
                  req.id(), alice.home(), NodeKind.D, name("other"), client.randomBytes(40), null));
      assertThat(other.status()).isEqualTo(400);
    }

    @Test
    @DisplayName("creating inside a file, or in a missing folder, is refused")
    void badParents() {
      NodeInfo file = client.mkfile(alice, alice.home(), "f");
      Response inFile = client.create(alice, file.id(), NodeKind.F, "x");
      assertThat(inFile.status()).isEqualTo(400);
      Response inMissing = client.create(alice, UUID.randomUUID(), NodeKind.F, "x");
      assertThat(inMissing.status()).isEqualTo(404);
      assertThat(client.get("/v1/nodes/" + file.id() + "/children", alice.token()).status())
          .isEqualTo(400);
    }
  }

  @Nested
  @DisplayName("rename and move")
  class Move {
    @Test
    @DisplayName("renames in place and moves to another folder")
    void renameAndMove() {
      NodeInfo a = client.mkdir(alice, alice.home(), "a");
      NodeInfo b = client.mkdir(alice, alice.home(), "b");
      NodeInfo f = client.mkfile(alice, a.id(), "f");
      byte[] key = client.randomBytes(50);
      Response renamed =
          client.patch(
              "/v1/nodes/" + f.id(),
              alice.token(),
              new MoveRequest(a.id(), name("g"), key, List.of()));
      assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
      assertThat(renamed.as(NodeInfo.class).encName()).isEqualTo(name("g"));
      assertThat(renamed.as(NodeInfo.class).wrappedKey()).isEqualTo(key);

      Response moved =
          client.patch(
              "/v1/nodes/" + f.id(), alice.token(), new MoveRequest(b.id(), name("g"), key, null));
      assertThat(moved.status()).isEqualTo(200);
      assertThat(moved.as(NodeInfo.class).parentId()).isEqualTo(b.id());
      assertThat(
              client
                  .get("/v1/nodes/" + a.id() + "/children", alice.token())
                  .as(NodeList.class)
                  .entries())
          .isEmpty();
      assertThat(
              client
                  .get("/v1/nodes/" + b.id() + "/children", alice.token())
                  .as(NodeList.class)
                  .entries())
          .extracting(NodeInfo::id)
          .containsExactly(f.id());
    }

    @Test
    @DisplayName("a move onto an existing name is 409 name-exists")
    void moveOntoName() {
      NodeInfo x = client.mkfile(alice, alice.home(), "x");
      client.mkfile(alice, alice.home(), "y");
      Response r =
          client.patch(
              "/v1/nodes/" + x.id(),
              alice.token(),
              new MoveRequest(alice.home(), name("y"), client.randomBytes(40), null));
      assertThat(r.status()).isEqualTo(409);
      assertThat(r.problemType()).isEqualTo("name-exists");
    }

    @Test
    @DisplayName("moving a folder into itself or below itself is 400 invalid-move")
    void cycle() {
      NodeInfo top = client.mkdir(alice, alice.home(), "top");
      NodeInfo mid = client.mkdir(alice, top.id(), "mid");
      NodeInfo low = client.mkdir(alice, mid.id(), "low");
      for (UUID dest : List.of(top.id(), mid.id(), low.id())) {
        Response r =
            client.patch(
                "/v1/nodes/" + top.id(),
                alice.token(),
                new MoveRequest(dest, name("top"), client.randomBytes(40), null));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.problemType()).isEqualTo("invalid-move");
      }
      assertThat(client.node(alice, top.id()).parentId()).isEqualTo(alice.home());
    }

    @Test
    @DisplayName("the home folder cannot be renamed, moved or deleted")
    void home() {
      NodeInfo d = client.mkdir(alice, alice.home(), "d");
      Response r =
          client.patch(
              "/v1/nodes/" + alice.home(),
              alice.token(),
              new MoveRequest(d.id(), name("h"), client.randomBytes(40), null));
      assertThat(r.status()).isEqualTo(403);
      assertThat(
              client
                  .delete("/v1/nodes/" + alice.home() + "?recursive=true", alice.token())
                  .status())
          .isEqualTo(403);
    }

    @Test
    @DisplayName("moves cannot cross owners")
    void crossOwner() {
      User bob = client.signup(TestClient.uniqueName("bob"));
      NodeInfo f = client.mkfile(alice, alice.home(), "f");
      // bob shares his folder with alice for writing: alice may write there, but not move into it
      NodeInfo bobs = client.mkdir(bob, bob.home(), "shared");
      assertThat(
              client
                  .put(
                      "/v1/nodes/" + bobs.id() + "/grants/" + alice.id(),
                      bob.token(),
                      new io.edfs.protocol.GrantRequest(
                          io.edfs.protocol.Mode.W, client.randomBytes(80)))
                  .status())
          .isEqualTo(200);
      Response r =
          client.patch(
              "/v1/nodes/" + f.id(),
              alice.token(),
              new MoveRequest(bobs.id(), name("f"), client.randomBytes(40), null));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.problem().detail()).isEqualTo("moves cannot cross owners");
    }
  }

  @Nested
  @DisplayName("delete")
  class Delete {
    @Test
    @DisplayName("a non-empty folder needs ?recursive=true")
    void notEmpty() {
      NodeInfo d = client.mkdir(alice, alice.home(), "full");
      client.mkfile(alice, d.id(), "f");
      Response r = client.delete("/v1/nodes/" + d.id(), alice.token());
      assertThat(r.status()).isEqualTo(409);
      assertThat(r.problemType()).isEqualTo("not-empty");
      assertThat(client.delete("/v1/nodes/" + d.id() + "?recursive=true", alice.token()).status())
          .isEqualTo(204);
      assertThat(client.get("/v1/nodes/" + d.id(), alice.token()).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("an empty folder and a file go without recursive")
    void simple() {
      NodeInfo d = client.mkdir(alice, alice.home(), "empty");
      NodeInfo f = client.mkfile(alice, alice.home(), "file");
      assertThat(client.delete("/v1/nodes/" + d.id(), alice.token()).status()).isEqualTo(204);
      assertThat(client.delete("/v1/nodes/" + f.id(), alice.token()).status()).isEqualTo(204);
      assertThat(client.delete("/v1/nodes/" + f.id(), alice.token()).status()).isEqualTo(404);
    }

    @Test
    @DisplayName(
        "a recursive delete removes the subtree, its versions and grants, drops block refs and"
            + " frees quota")
    void recursive() {
      User bob = client.signup(TestClient.uniqueName("bob"));
      NodeInfo top = client.mkdir(alice, alice.home(), "top");
      NodeInfo sub = client.mkdir(alice, top.id(), "sub");
      NodeInfo f1 = client.mkfile(alice, top.id(), "f1");
      NodeInfo f2 = client.mkfile(alice, sub.id(), "f2");
      byte[] shared = client.randomBytes(1000);
      byte[] only = client.randomBytes(2000);
      var c1 = client.commitRequest(alice, null, shared, only);
      assertThat(client.commit(alice, f1.id(), c1).status()).isEqualTo(200);
      var c2 = client.commitRequest(alice, null, shared);
      assertThat(client.commit(alice, f2.id(), c2).status()).isEqualTo(200);
      // a file outside the subtree also uses the shared block
      NodeInfo outside = client.mkfile(alice, alice.home(), "outside");
      assertThat(
              client
                  .commit(alice, outside.id(), client.commitRequest(alice, null, shared))
                  .status())
          .isEqualTo(200);
      client.put(
          "/v1/nodes/" + sub.id() + "/grants/" + bob.id(),
          alice.token(),
          new io.edfs.protocol.GrantRequest(io.edfs.protocol.Mode.R, client.randomBytes(80)));
      String sharedHash = TestClient.sha256(shared);
      String onlyHash = TestClient.sha256(only);
      assertThat(client.queryLong("SELECT refs FROM blocks WHERE hash = ?", sharedHash))
          .isEqualTo(3);
      assertThat(client.queryLong("SELECT refs FROM blocks WHERE hash = ?", onlyHash)).isEqualTo(1);
      assertThat(account(alice).usedBytes()).isEqualTo(5000);

      assertThat(client.delete("/v1/nodes/" + top.id() + "?recursive=true", alice.token()).status())
          .isEqualTo(204);

      for (UUID id : List.of(top.id(), sub.id(), f1.id(), f2.id())) {
        assertThat(client.get("/v1/nodes/" + id, alice.token()).status()).isEqualTo(404);
      }
      assertThat(client.queryLong("SELECT refs FROM blocks WHERE hash = ?", sharedHash))
          .isEqualTo(1);
      assertThat(client.queryLong("SELECT refs FROM blocks WHERE hash = ?", onlyHash)).isZero();
      assertThat(
              client.queryLong(
                  "SELECT COUNT(*) FROM versions WHERE node_id IN (?, ?)", f1.id(), f2.id()))
          .isZero();
      assertThat(client.queryLong("SELECT COUNT(*) FROM grants WHERE node_id = ?", sub.id()))
          .isZero();
      assertThat(account(alice).usedBytes()).isEqualTo(1000);
      // the block files stay until garbage collection
      assertThat(client.queryLong("SELECT COUNT(*) FROM blocks WHERE hash = ?", onlyHash))
          .isEqualTo(1);
      assertThat(client.node(alice, outside.id()).size()).isEqualTo(1000);
    }

    private io.edfs.protocol.Account account(User u) {
      return client.get("/v1/account", u.token()).as(io.edfs.protocol.Account.class);
    }
  }

  @Nested
  @DisplayName("Tree shape")
  class Shape {
    @Test
    @DisplayName("folders nest at most 512 deep, so no move can hide a cycle from the checks")
    void depthLimit() {
      UUID parent = alice.home();
      UUID at511 = null;
      for (int depth = 1; depth <= 512; depth++) {
        at511 = parent;
        parent = client.mkdir(alice, parent, "d").id();
      }
      Response tooDeep = client.create(alice, parent, NodeKind.D, "one-too-many");
      assertThat(tooDeep.status()).as(tooDeep.text()).isEqualTo(400);
      assertThat(tooDeep.problem().detail()).contains("at most 512 deep");

      // a two-level folder cannot move where its child would pass the limit, though the folder
      // itself would fit (depth 512)
      NodeInfo two = client.mkdir(alice, alice.home(), "two");
      client.mkdir(alice, two.id(), "child");
      Response move =
          client.patch("/v1/nodes/" + two.id(), alice.token(), new MoveRequest(at511, name("two"), client.randomBytes(40), null));
      assertThat(move.status()).as(move.text()).isEqualTo(400);
      assertThat(client.node(alice, two.id()).parentId()).isEqualTo(alice.home());
    }

    @Test
    @DisplayName("a WRITE grantee renames an entry the owner also shared, leaving its grants; only the owner re-seals")
    void grantsOnRename() {
      User bob = client.signup(TestClient.uniqueName("bob"));
      User carol = client.signup(TestClient.uniqueName("carol"));
      NodeInfo shared = client.mkdir(alice, alice.home(), "shared");
      NodeInfo inner = client.mkdir(alice, shared.id(), "inner");
      byte[] carolSeal = client.randomBytes(80);
      grant(alice, shared.id(), bob, "W", client.randomBytes(80));
      grant(alice, inner.id(), carol, "R", carolSeal);

      Response forged =
          client.patch(
              "/v1/nodes/" + inner.id(),
              bob.token(),
              new MoveRequest(shared.id(), name("inner"), client.randomBytes(40), List.of(new io.edfs.protocol.Reseal(carol.id(), client.randomBytes(80)))));
      assertThat(forged.status()).as(forged.text()).isEqualTo(403);
      assertThat(forged.text()).doesNotContain(carol.id().toString());

      Response rename =
          client.patch("/v1/nodes/" + inner.id(), bob.token(), new MoveRequest(shared.id(), name("renamed"), client.randomBytes(40), null));
      assertThat(rename.status()).as(rename.text()).isEqualTo(200);
      var received = client.get("/v1/grants/received", carol.token()).as(io.edfs.protocol.GrantList.class).grants();
      assertThat(received).singleElement().satisfies(g -> assertThat(g.sealedKey()).isEqualTo(carolSeal));
    }

    private void grant(User owner, UUID node, User grantee, String mode, byte[] sealed) {
      Response r =
          client.put(
              "/v1/nodes/" + node + "/grants/" + grantee.id(),
              owner.token(),
              new io.edfs.protocol.GrantRequest(io.edfs.protocol.Mode.valueOf(mode), sealed));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
    }
  }
}
