package io.edfs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.protocol.Account;
import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.Problem;
import io.edfs.protocol.VersionInfo;
import io.edfs.server.TestClient.Response;
import io.edfs.server.TestClient.User;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Committing versions")
class CommitIT {
  static final int KEEP = 3;
  static final long QUOTA = 100_000;
  @TempDir static Path dir;
  static EdfsServer server;
  static TestClient client;
  User alice;
  NodeInfo file;

  @BeforeAll
  static void start() throws Exception {
    server =
        EdfsServer.start(
            TestEngine.config(dir)
                .withKeepVersions(KEEP)
                .withDefaultQuotaBytes(QUOTA));
    client = new TestClient(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void fixture() {
    alice = client.signup(TestClient.uniqueName("alice"));
    file = client.mkfile(alice, alice.home(), "file");
  }

  @Test
  @DisplayName("a small file's only block can travel inside the commit, verified and stored")
  void inlineBlock() {
    byte[] data = client.randomBytes(3000);
    String hash = TestClient.sha256(data);
    var req = new CommitRequest(UUID.randomUUID(), null, data.length, 65536, List.of(new BlockRef(hash, data.length)), data);
    Response r = client.commit(alice, file.id(), req);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    VersionInfo v = r.as(NodeInfo.class).version();
    Response block = client.get("/v1/nodes/" + file.id() + "/versions/" + v.id() + "/blocks/0", alice.token());
    assertThat(block.status()).isEqualTo(200);
    assertThat(block.body()).isEqualTo(data);
    assertThat(client.queryLong("SELECT refs FROM blocks WHERE hash = ?", hash)).isEqualTo(1);

    // a retry of the same commit changes nothing
    assertThat(client.commit(alice, file.id(), req).status()).isEqualTo(200);
    assertThat(client.queryLong("SELECT COUNT(*) FROM versions WHERE node_id = ?", file.id().toString())).isEqualTo(1);
  }

  @Test
  @DisplayName("a create carrying an inline first version, sent again after a lost answer, answers as the first time")
  void inlineCreateRetried() {
    byte[] data = client.randomBytes(3000);
    String hash = TestClient.sha256(data);
    var version = new CommitRequest(UUID.randomUUID(), null, data.length, 65536, List.of(new BlockRef(hash, data.length)), data);
    var req = new CreateNodeRequest(UUID.randomUUID(), alice.home(), NodeKind.F, TestClient.name("small.txt"), client.randomBytes(40), version);
    Response first = client.post("/v1/nodes", alice.token(), req);
    assertThat(first.status()).as(first.text()).isEqualTo(201);

    Response retry = client.post("/v1/nodes", alice.token(), req);
    assertThat(retry.status()).as(retry.text()).isEqualTo(200);
    assertThat(retry.as(NodeInfo.class).version()).isEqualTo(first.as(NodeInfo.class).version());
    assertThat(client.queryLong("SELECT COUNT(*) FROM versions WHERE node_id = ?", req.id().toString())).isEqualTo(1);

    // another node under that name is still refused, before its block is stored
    byte[] other = client.randomBytes(2000);
    String otherHash = TestClient.sha256(other);
    var clash =
        new CreateNodeRequest(UUID.randomUUID(), alice.home(), NodeKind.F, TestClient.name("small.txt"), client.randomBytes(40),
            new CommitRequest(UUID.randomUUID(), null, other.length, 65536, List.of(new BlockRef(otherHash, other.length)), other));
    Response refused = client.post("/v1/nodes", alice.token(), clash);
    assertThat(refused.status()).as(refused.text()).isEqualTo(409);
    assertThat(refused.problemType()).isEqualTo("name-exists");
    assertThat(dir.resolve("blocks").resolve(otherHash.substring(0, 2)).resolve(otherHash.substring(2, 4)).resolve(otherHash))
        .doesNotExist();
  }

  @Test
  @DisplayName("an inline block that does not match its hash, or is not the only block, is refused and nothing is stored")
  void badInlineBlock() throws Exception {
    byte[] data = client.randomBytes(3000);
    String wrong = TestClient.sha256(client.randomBytes(10));
    var mismatch = new CommitRequest(UUID.randomUUID(), null, data.length, 65536, List.of(new BlockRef(wrong, data.length)), data);
    Response r = client.commit(alice, file.id(), mismatch);
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.problemType()).isEqualTo("hash-mismatch");
    assertThat(client.queryLong("SELECT COUNT(*) FROM blocks WHERE hash = ?", wrong)).isZero();
    assertThat(dir.resolve("blocks").resolve(wrong.substring(0, 2)).resolve(wrong.substring(2, 4)).resolve(wrong)).doesNotExist();
    try (var parts = java.nio.file.Files.list(dir.resolve("blocks/.tmp"))) {
      assertThat(parts).as("no upload left behind").isEmpty();
    }

    String hash = TestClient.sha256(data);
    var two = new CommitRequest(UUID.randomUUID(), null, data.length * 2L, 65536,
        List.of(new BlockRef(hash, data.length), new BlockRef(hash, data.length)), data);
    Response r2 = client.commit(alice, file.id(), two);
    assertThat(r2.status()).as(r2.text()).isEqualTo(400);
    assertThat(r2.problemType()).isEqualTo("bad-request");
    assertThat(client.node(alice, file.id()).version()).isNull();
  }

  @Test
  @DisplayName("a commit makes the version current, with its blocks, size and author")
  void commit() {
    byte[] b1 = client.randomBytes(5000);
    byte[] b2 = client.randomBytes(300);
    CommitRequest req = client.commitRequest(alice, null, b1, b2);
    Response r = client.commit(alice, file.id(), req);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    NodeInfo n = r.as(NodeInfo.class);
    assertThat(n.size()).isEqualTo(5300);
    VersionInfo v = n.version();
    assertThat(v.id()).isEqualTo(req.versionId());
    assertThat(v.seq()).isEqualTo(1);
    assertThat(v.size()).isEqualTo(5300);
    assertThat(v.segmentSize()).isEqualTo(65536);
    assertThat(v.authorId()).isEqualTo(alice.id());
    assertThat(v.blocks()).isEqualTo(req.blocks());
    assertThat(n.modifiedAt()).isAfterOrEqualTo(file.modifiedAt());

    Response version = client.get("/v1/nodes/" + file.id() + "/versions/" + v.id(), alice.token());
    assertThat(version.as(VersionInfo.class).blocks()).isEqualTo(req.blocks());
    // listings carry the version without blocks
    var listed =
        client
            .get("/v1/nodes/" + alice.home() + "/children", alice.token())
            .as(io.edfs.protocol.NodeList.class)
            .entries()
            .getFirst();
    assertThat(listed.version().id()).isEqualTo(v.id());
    assertThat(listed.version().blocks()).isEmpty();
    assertThat(account().usedBytes()).isEqualTo(5300);
  }

  @Test
  @DisplayName("a stale base version is 409 version-conflict naming the current version")
  void staleBase() {
    CommitRequest first = client.commitRequest(alice, null, client.randomBytes(10));
    assertThat(client.commit(alice, file.id(), first).status()).isEqualTo(200);
    CommitRequest stale = client.commitRequest(alice, null, client.randomBytes(10));
    Response r = client.commit(alice, file.id(), stale);
    assertThat(r.status()).isEqualTo(409);
    Problem p = r.problem();
    assertThat(p.type()).isEqualTo("version-conflict");
    assertThat(p.currentVersionId()).isEqualTo(first.versionId());
    CommitRequest wrong = client.commitRequest(alice, UUID.randomUUID(), client.randomBytes(10));
    assertThat(client.commit(alice, file.id(), wrong).problem().currentVersionId())
        .isEqualTo(first.versionId());
  }

  @Test
  @DisplayName("20 concurrent commits on one base: exactly one wins")
  void raceOnBase() throws Exception {
    List<CommitRequest> requests = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      requests.add(client.commitRequest(alice, null, client.randomBytes(100)));
    }
    List<Callable<Response>> tasks = new ArrayList<>();
    for (CommitRequest req : requests) {
      tasks.add(() -> client.commit(alice, file.id(), req));
    }
    List<Response> responses = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
      for (Future<Response> f : pool.invokeAll(tasks)) {
        responses.add(f.get());
      }
    }
    List<Response> won = responses.stream().filter(r -> r.status() == 200).toList();
    assertThat(won).hasSize(1);
    UUID winner = won.getFirst().as(NodeInfo.class).version().id();
    assertThat(responses)
        .filteredOn(r -> r.status() == 409)
        .hasSize(19)
        .allSatisfy(r -> assertThat(r.problem().currentVersionId()).isEqualTo(winner));
    assertThat(client.queryLong("SELECT COUNT(*) FROM versions WHERE node_id = ?", file.id()))
        .isEqualTo(1);
    assertThat(account().usedBytes()).isEqualTo(100);
  }

  @Test
  @DisplayName("retrying a commit returns the same result and adds no version")
  void idempotentRetry() {
    CommitRequest req = client.commitRequest(alice, null, client.randomBytes(777));
    Response first = client.commit(alice, file.id(), req);
    Response retry = client.commit(alice, file.id(), req);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.as(NodeInfo.class).version()).isEqualTo(first.as(NodeInfo.class).version());
    assertThat(retry.as(NodeInfo.class).size()).isEqualTo(777);
    assertThat(client.queryLong("SELECT COUNT(*) FROM versions WHERE node_id = ?", file.id()))
        .isEqualTo(1);
    assertThat(
            client.queryLong(
                "SELECT refs FROM blocks WHERE hash = ?", req.blocks().getFirst().hash()))
        .isEqualTo(1);
    assertThat(account().usedBytes()).isEqualTo(777);
  }

  @Test
  @DisplayName("only the newest versions are kept; older ones release their blocks and bytes")
  void retention() {
    List<CommitRequest> commits = new ArrayList<>();
    UUID base = null;
    for (int i = 0; i < KEEP + 2; i++) {
      CommitRequest req = client.commitRequest(alice, base, client.randomBytes(1000 + i));
      Response r = client.commit(alice, file.id(), req);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.as(NodeInfo.class).version().seq()).isEqualTo(i + 1);
      commits.add(req);
      base = req.versionId();
    }
    for (int i = 0; i < commits.size(); i++) {
      CommitRequest c = commits.get(i);
      int status =
          client
              .get("/v1/nodes/" + file.id() + "/versions/" + c.versionId(), alice.token())
              .status();
      long refs =
          client.queryLong("SELECT refs FROM blocks WHERE hash = ?", c.blocks().getFirst().hash());
      if (i < 2) {
        assertThat(status).as("version %d", i).isEqualTo(404);
        assertThat(refs).isZero();
      } else {
        assertThat(status).as("version %d", i).isEqualTo(200);
        assertThat(refs).isEqualTo(1);
      }
    }
    assertThat(account().usedBytes()).isEqualTo(1002 + 1003 + 1004);
  }

  @Test
  @DisplayName("a commit over quota is 507 quota-exceeded and changes nothing")
  void quota() {
    CommitRequest fits = client.commitRequest(alice, null, client.randomBytes(60_000));
    assertThat(client.commit(alice, file.id(), fits).status()).isEqualTo(200);
    NodeInfo other = client.mkfile(alice, alice.home(), "other");
    CommitRequest tooBig = client.commitRequest(alice, null, client.randomBytes(50_000));
    Response r = client.commit(alice, other.id(), tooBig);
    assertThat(r.status()).isEqualTo(507);
    assertThat(r.problemType()).isEqualTo("quota-exceeded");
    assertThat(client.node(alice, other.id()).version()).isNull();
    assertThat(account().usedBytes()).isEqualTo(60_000);
    assertThat(
            client.queryLong(
                "SELECT refs FROM blocks WHERE hash = ?", tooBig.blocks().getFirst().hash()))
        .isZero();
    // replacing the big version with a smaller one is fine: kept versions count, not just the new
    // one
    CommitRequest create = client.commitRequest(alice, null, client.randomBytes(10));
    Response created =
        client.post(
            "/v1/nodes",
            alice.token(),
            new CreateNodeRequest(
                UUID.randomUUID(),
                alice.home(),
                NodeKind.F,
                TestClient.name("small"),
                client.randomBytes(40),
                create));
    assertThat(created.status()).isEqualTo(201);
    Response createTooBig =
        client.post(
            "/v1/nodes",
            alice.token(),
            new CreateNodeRequest(
                UUID.randomUUID(),
                alice.home(),
                NodeKind.F,
                TestClient.name("big"),
                client.randomBytes(40),
                client.commitRequest(alice, null, client.randomBytes(45_000))));
    assertThat(createTooBig.status()).isEqualTo(507);
    assertThat(
            client.get("/v1/nodes/" + alice.home() + "/children?name=Ymln", alice.token()).status())
        .as("the node of a failed create+commit does not exist")
        .isEqualTo(404);
  }

  @Test
  @DisplayName("create with a first version is one call")
  void createWithVersion() {
    CommitRequest v = client.commitRequest(alice, null, client.randomBytes(4096));
    CreateNodeRequest req =
        new CreateNodeRequest(
            UUID.randomUUID(),
            alice.home(),
            NodeKind.F,
            TestClient.name("small.txt"),
            client.randomBytes(40),
            v);
    Response r = client.post("/v1/nodes", alice.token(), req);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    NodeInfo n = r.as(NodeInfo.class);
    assertThat(n.size()).isEqualTo(4096);
    assertThat(n.version().id()).isEqualTo(v.versionId());
    assertThat(n.version().blocks()).isEqualTo(v.blocks());
    Response retry = client.post("/v1/nodes", alice.token(), req);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.as(NodeInfo.class).version()).isEqualTo(n.version());

    CreateNodeRequest withBase =
        new CreateNodeRequest(
            UUID.randomUUID(),
            alice.home(),
            NodeKind.F,
            TestClient.name("x"),
            client.randomBytes(40),
            new CommitRequest(
                UUID.randomUUID(), UUID.randomUUID(), v.size(), v.segmentSize(), v.blocks()));
    assertThat(client.post("/v1/nodes", alice.token(), withBase).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("missing blocks, wrong lengths, wrong sizes and folders are refused")
  void refusals() {
    String absent = TestClient.sha256(client.randomBytes(8));
    Response missing =
        client.commit(
            alice,
            file.id(),
            new CommitRequest(UUID.randomUUID(), null, 8, 65536, List.of(new BlockRef(absent, 8))));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.problemType()).isEqualTo("missing-blocks");
    assertThat(missing.problem().detail()).contains(absent);

    String hash = client.upload(alice, client.randomBytes(100));
    Response wrongLength =
        client.commit(
            alice,
            file.id(),
            new CommitRequest(UUID.randomUUID(), null, 99, 65536, List.of(new BlockRef(hash, 99))));
    assertThat(wrongLength.status()).isEqualTo(400);
    assertThat(wrongLength.problem().detail()).contains("100");

    Response wrongSize =
        client.commit(
            alice,
            file.id(),
            new CommitRequest(
                UUID.randomUUID(), null, 101, 65536, List.of(new BlockRef(hash, 100))));
    assertThat(wrongSize.status()).isEqualTo(400);

    Response badSegment =
        client.commit(
            alice,
            file.id(),
            new CommitRequest(
                UUID.randomUUID(), null, 100, 1000, List.of(new BlockRef(hash, 100))));
    assertThat(badSegment.status()).isEqualTo(400);
    assertThat(badSegment.problem().detail()).contains("segmentSize");

    NodeInfo folder = client.mkdir(alice, alice.home(), "folder");
    Response onFolder =
        client.commit(
            alice,
            folder.id(),
            new CommitRequest(
                UUID.randomUUID(), null, 100, 65536, List.of(new BlockRef(hash, 100))));
    assertThat(onFolder.status()).isEqualTo(400);
    assertThat(client.node(alice, file.id()).version()).isNull();
  }

  private Account account() {
    return client.get("/v1/account", alice.token()).as(Account.class);
  }
}
