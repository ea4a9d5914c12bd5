package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.ErrorType;
import io.edfs.protocol.GrantInfo;
import io.edfs.protocol.GrantRequest;
import io.edfs.protocol.Mode;
import io.edfs.protocol.MoveRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.SessionResponse;
import io.edfs.protocol.SignupRequest;
import io.edfs.testdb.TestDatabase;
import io.edfs.testdb.TestDatabase.Engine;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real services ({@link Accounts}, {@link Tree}, {@link Sharing}, {@link Blocks}) over a {@link
 * Database} on a fresh database of one engine, without HTTP, and helpers to use them: the base of
 * the contract suites that run on every engine. Tests share one database per class and start from
 * their own users; after each, {@link MetadataInvariants} must find nothing wrong with the whole
 * database that was not wrong before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServiceFixture {
  static final long QUOTA = 1L << 30;
  static final int KEEP_VERSIONS = 3;
  static final int SEGMENT = 65_536;

  static final Duration SESSION_TTL = Duration.ofHours(1);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger USERS = new AtomicInteger();

  Path dir;
  TestDatabase database;
  Database db;
  ServerSecret secret;
  BlockStore store;
  UserStore users;
  NodeStore nodes;
  VersionStore versions;
  private List<String> violationsBefore = List.of();
  Accounts accounts;
  Tree tree;
  Sharing sharing;
  Blocks blocks;
  final Clock clock = Clock.systemUTC();

  /** The engine under test. */
  abstract Engine engine();

  @BeforeAll
  void open(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    database = TestDatabase.create(engine(), dir.resolve("db"));
    db = Database.open(Dialects.forUrl(database.url(), dir));
    secret = ServerSecret.loadOrCreate(dir.resolve("server.secret"), RANDOM);
    store = new DiskBlockStore(dir.resolve("blocks"));
    users = new UserStore(db.dialect());
    nodes = new NodeStore();
    versions = new VersionStore(db.dialect());
    GrantStore grants = new GrantStore(db.dialect());
    accounts = accounts(QUOTA);
    blocks = new Blocks(db, versions, store);
    RequestKeys requests = new RequestKeys(db);
    tree = new Tree(db, nodes, versions, grants, users, blocks, requests, clock, KEEP_VERSIONS);
    sharing = new Sharing(db, nodes, grants, users, requests, clock);
  }

  @AfterAll
  void close() {
    if (db != null) {
      db.close();
    }
    if (database != null) {
      database.close();
    }
  }

  @BeforeEach
  void noteViolations() {
    // so that one broken test does not fail every later one
    violationsBefore = MetadataInvariants.violations(db);
  }

  @AfterEach
  void databaseStaysConsistent() {
    assertInvariants();
  }

  // ---- helpers ----

  /** A number no other user of this run has. */
  static int nextUserNumber() {
    return USERS.incrementAndGet();
  }

  /** A signed-up user and what it signed up with. */
  record User(UUID id, UUID home, String username, byte[] authKey, byte[] salt, String token) {}

  User signup(String prefix) {
    return signup(prefix, QUOTA);
  }

  User signup(String prefix, long quota) {
    String username = prefix + "-" + nextUserNumber();
    SignupRequest r = signupRequest(UUID.randomUUID(), username);
    SessionResponse s = (quota == QUOTA ? accounts : accounts(quota)).signup(r);
    return new User(r.userId(), r.homeId(), username, r.authKey(), r.salt(), s.token());
  }

  Accounts accounts(long quota) {
    return accounts(quota, clock);
  }

  /** Accounts whose new users get {@code quota}, on {@code clock}. */
  Accounts accounts(long quota, Clock clock) {
    return new Accounts(
        db,
        users,
        nodes,
        secret,
        RANDOM,
        clock,
        SESSION_TTL,
        quota,
        new RateLimiter(1000, Duration.ofMinutes(1)),
        new RateLimiter(1000, Duration.ofMinutes(1)));
  }

  static SignupRequest signupRequest(UUID userId, String username) {
    return new SignupRequest(
        userId,
        username,
        random(Accounts.AUTH_KEY_BYTES),
        random(Accounts.SALT_BYTES),
        Accounts.DEFAULT_KDF,
        random(32),
        random(64),
        UUID.randomUUID(),
        key());
  }

  NodeInfo create(User u, UUID parent, NodeKind kind, byte[] name) {
    return tree.create(
            u.id(), new CreateNodeRequest(UUID.randomUUID(), parent, kind, name, key(), null))
        .node();
  }

  NodeInfo folder(User u, UUID parent, String name) {
    return create(u, parent, NodeKind.D, name(name));
  }

  /** A file with a first version made of {@code content}. */
  NodeInfo file(User u, UUID parent, String name, BlockRef... content) {
    CreateNodeRequest r =
        new CreateNodeRequest(
            UUID.randomUUID(), parent, NodeKind.F, name(name), key(), commit(null, content));
    return tree.create(u.id(), r).node();
  }

  NodeInfo move(User u, UUID id, UUID parent, String name) {
    return tree.move(u.id(), id, new MoveRequest(parent, name(name), key(), List.of()));
  }

  GrantInfo grant(User owner, UUID node, User grantee, Mode mode) {
    return sharing.put(owner.id(), node, grantee.id(), new GrantRequest(mode, key()));
  }

  static CommitRequest commit(UUID base, BlockRef... content) {
    long size = Arrays.stream(content).mapToLong(BlockRef::length).sum();
    return new CommitRequest(UUID.randomUUID(), base, size, SEGMENT, List.of(content));
  }

  /** Uploads a new block of {@code length} random bytes. */
  BlockRef block(int length) throws Exception {
    byte[] data = random(length);
    String hash = sha256(data);
    assertThat(blocks.put(hash, length, () -> new ByteArrayInputStream(data))).isTrue();
    return new BlockRef(hash, length);
  }

  long refs(BlockRef b) {
    return count("SELECT refs FROM blocks WHERE hash = ?", b.hash());
  }

  long ownedNodes(User u) {
    return count("SELECT COUNT(*) FROM nodes WHERE owner_id = ?", u.id());
  }

  /** The single number {@code sql} selects; parameters are strings (UUIDs as text). */
  long count(String sql, Object... params) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
              ps.setString(i + 1, params[i].toString());
            }
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new SQLException("no row from " + sql);
              }
              return rs.getLong(1);
            }
          }
        });
  }

  static String in(List<UUID> ids) {
    return ids.stream()
        .map(id -> "'" + id + "'")
        .collect(java.util.stream.Collectors.joining(", ", "(", ")"));
  }

  /** Fails on any violation of {@link MetadataInvariants} that was not there before the test. */
  void assertInvariants() {
    List<String> found = new ArrayList<>(MetadataInvariants.violations(db));
    found.removeAll(violationsBefore);
    assertThat(found).as("invariants of the database broken by this test").isEmpty();
  }

  static void assertFails(ErrorType type, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.type()).as(e.getMessage()).isEqualTo(type));
  }

  static List<String> names(List<NodeInfo> entries) {
    return entries.stream().map(e -> new String(e.encName(), StandardCharsets.UTF_8)).toList();
  }

  static byte[] name(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] key() {
    return random(48);
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
