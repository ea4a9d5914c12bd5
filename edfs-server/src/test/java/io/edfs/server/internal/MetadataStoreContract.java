package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edfs.protocol.Access;
import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.CreateBatchRequest;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.ErrorType;
import io.edfs.protocol.GrantInfo;
import io.edfs.protocol.GrantRequest;
import io.edfs.protocol.LoginRequest;
import io.edfs.protocol.Mode;
import io.edfs.protocol.MoveRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.PreloginRequest;
import io.edfs.protocol.Reseal;
import io.edfs.protocol.SessionResponse;
import io.edfs.protocol.SignupRequest;
import io.edfs.server.internal.Race.Outcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the metadata store must do on every engine: the real services ({@link Accounts}, {@link
 * Tree}, {@link Sharing}, {@link Blocks}) over a {@link Database} on a fresh database, without
 * HTTP. One subclass per engine. Every test starts from its own users, so tests share one database
 * per class; after each, {@link MetadataInvariants} must find nothing wrong with the whole
 * database.
 *
 * <p>The contention cases release many threads at once against one row or one folder and check that
 * the outcome is one the engine could have reached running the requests one after another.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MetadataStoreContract extends ServiceFixture {
  /** Threads per race: enough to overlap many transactions on 2 cores. */
  static final int THREADS = 8;

  static final int ROUNDS = 4;

  // ---- behaviour ----

  @Nested
  @DisplayName("an account")
  class SignupAndLogin {
    @Test
    @DisplayName("signs up with a home folder and a session that authenticates it")
    void signsUp() {
      User alice = signup("alice");
      assertThat(accounts.authenticate("Bearer " + alice.token()).userId()).isEqualTo(alice.id());
      var account = accounts.account(alice.id());
      assertThat(account.homeId()).isEqualTo(alice.home());
      assertThat(account.quotaBytes()).isEqualTo(QUOTA);
      assertThat(account.usedBytes()).isZero();
      NodeInfo home = tree.get(alice.id(), alice.home());
      assertThat(home.kind()).isEqualTo(NodeKind.D);
      assertThat(home.parentId()).isNull();
      assertThat(home.access()).isEqualTo(Access.OWNER);
      assertThat(accounts.user(alice.username()).userId()).isEqualTo(alice.id());
    }

    @Test
    @DisplayName("logs in with the right key only, and a logout ends just that session")
    void login() {
      User bob = signup("bob");
      assertFails(
          ErrorType.INVALID_CREDENTIALS,
          () -> accounts.login(new LoginRequest(bob.username(), random(32)), "10.0.0.1"));
      SessionResponse second =
          accounts.login(new LoginRequest(bob.username().toUpperCase(), bob.authKey()), "10.0.0.1");
      Accounts.Session s2 = accounts.authenticate("Bearer " + second.token());
      assertThat(s2.userId()).isEqualTo(bob.id());
      assertThat(second.account().homeId()).isEqualTo(bob.home());

      accounts.logout(s2);
      assertFails(
          ErrorType.UNAUTHENTICATED, () -> accounts.authenticate("Bearer " + second.token()));
      assertThat(accounts.authenticate("Bearer " + bob.token()).userId()).isEqualTo(bob.id());
    }

    @Test
    @DisplayName("prelogin gives a user's own salt, and a stable made-up one for unknown users")
    void prelogin() {
      User carol = signup("carol");
      assertThat(accounts.prelogin(new PreloginRequest(carol.username())).salt())
          .isEqualTo(carol.salt());
      byte[] fake = accounts.prelogin(new PreloginRequest("nobody-" + carol.username())).salt();
      assertThat(accounts.prelogin(new PreloginRequest("nobody-" + carol.username())).salt())
          .isEqualTo(fake)
          .isNotEqualTo(carol.salt());
    }

    @Test
    @DisplayName("refuses a taken username, whatever its case, and a taken user id or home id")
    void taken() {
      User dave = signup("dave");
      assertFails(
          ErrorType.USER_EXISTS,
          () -> accounts.signup(signupRequest(UUID.randomUUID(), dave.username().toUpperCase())));
      SignupRequest sameId = signupRequest(dave.id(), "other-" + dave.username());
      assertFails(ErrorType.USER_EXISTS, () -> accounts.signup(sameId));
      SignupRequest r = signupRequest(UUID.randomUUID(), "third-" + dave.username());
      SignupRequest sameHome =
          new SignupRequest(
              r.userId(),
              r.username(),
              r.authKey(),
              r.salt(),
              r.kdf(),
              r.publicKeys(),
              r.privateKeys(),
              dave.home(),
              r.homeWrappedKey());
      assertFails(ErrorType.BAD_REQUEST, () -> accounts.signup(sameHome));
      assertFails(ErrorType.UNKNOWN_USER, () -> accounts.user("third-" + dave.username()));
    }

    @Test
    @DisplayName("a session ends when it expires, and the next login removes it")
    void expiry() {
      User erin = signup("erin");
      Accounts later = accounts(QUOTA, Clock.offset(clock, SESSION_TTL.plusMinutes(1)));
      assertFails(ErrorType.UNAUTHENTICATED, () -> later.authenticate("Bearer " + erin.token()));
      SessionResponse fresh =
          later.login(new LoginRequest(erin.username(), erin.authKey()), "10.0.0.2");
      assertThat(later.authenticate("Bearer " + fresh.token()).userId()).isEqualTo(erin.id());
      assertThat(count("SELECT COUNT(*) FROM sessions WHERE user_id = ?", erin.id())).isOne();
    }

    @Test
    @DisplayName("does not accept a made-up token")
    void unknownToken() {
      String token = "A".repeat(43);
      assertFails(ErrorType.UNAUTHENTICATED, () -> accounts.authenticate("Bearer " + token));
    }
  }

  @Nested
  @DisplayName("the tree")
  class Folders {
    @Test
    @DisplayName("creates folders and files, lists and gets them as their owner")
    void createListGet() throws Exception {
      User alice = signup("alice");
      NodeInfo docs = folder(alice, alice.home(), "docs");
      BlockRef b = block(1000);
      NodeInfo file = file(alice, docs.id(), "a.txt", b);
      assertThat(file.kind()).isEqualTo(NodeKind.F);
      assertThat(file.size()).isEqualTo(1000);
      assertThat(file.version().blocks()).containsExactly(b);
      assertThat(file.ownerId()).isEqualTo(alice.id());

      assertThat(names(tree.children(alice.id(), alice.home()).entries())).containsExactly("docs");
      assertThat(names(tree.children(alice.id(), docs.id()).entries())).containsExactly("a.txt");
      assertThat(tree.child(alice.id(), docs.id(), name("a.txt")).id()).isEqualTo(file.id());
      NodeInfo got = tree.get(alice.id(), file.id());
      assertThat(got.parentId()).isEqualTo(docs.id());
      assertThat(got.version().id()).isEqualTo(file.version().id());
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(1000);
    }

    @Test
    @DisplayName("creates a batch of files in one folder all at once, or none of them")
    void batch() throws Exception {
      User alice = signup("alice");
      NodeInfo docs = folder(alice, alice.home(), "docs");
      List<CreateNodeRequest> batch = new ArrayList<>();
      List<BlockRef> content = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        BlockRef b = block(100 + i);
        content.add(b);
        batch.add(new CreateNodeRequest(UUID.randomUUID(), docs.id(), NodeKind.F, name("f" + i), key(), commit(null, b)));
      }
      batch.add(new CreateNodeRequest(UUID.randomUUID(), docs.id(), NodeKind.D, name("sub"), key(), null));
      List<NodeInfo> created = tree.createAll(alice.id(), batch, Optional.of("key-1"));
      assertThat(created).extracting(NodeInfo::id).containsExactlyElementsOf(batch.stream().map(CreateNodeRequest::id).toList());
      assertThat(tree.children(alice.id(), docs.id()).entries()).hasSize(31);
      long used = content.stream().mapToLong(BlockRef::length).sum();
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(used);
      // sent again with its key (its answer was lost): the same nodes, nothing created twice
      assertThat(tree.createAll(alice.id(), batch, Optional.of("key-1"))).extracting(NodeInfo::id)
          .containsExactlyElementsOf(created.stream().map(NodeInfo::id).toList());
      assertThat(tree.children(alice.id(), docs.id()).entries()).hasSize(31);

      // one name that exists fails the whole batch: the new names are not created either
      BlockRef b = block(7);
      List<CreateNodeRequest> clash = List.of(
          new CreateNodeRequest(UUID.randomUUID(), docs.id(), NodeKind.F, name("new"), key(), commit(null, b)),
          new CreateNodeRequest(UUID.randomUUID(), docs.id(), NodeKind.F, name("f3"), key(), commit(null, b)));
      assertFails(ErrorType.NAME_EXISTS, () -> tree.createAll(alice.id(), clash, Optional.of("key-2")));
      assertThat(tree.children(alice.id(), docs.id()).entries()).hasSize(31);
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(used);

      // one folder per batch, and at most MAX_NODES nodes
      NodeInfo other = folder(alice, alice.home(), "other");
      List<CreateNodeRequest> twoFolders = List.of(
          new CreateNodeRequest(UUID.randomUUID(), docs.id(), NodeKind.D, name("a"), key(), null),
          new CreateNodeRequest(UUID.randomUUID(), other.id(), NodeKind.D, name("b"), key(), null));
      assertFails(ErrorType.BAD_REQUEST, () -> tree.createAll(alice.id(), twoFolders, Optional.empty()));
      List<CreateNodeRequest> tooMany = new ArrayList<>();
      for (int i = 0; i <= CreateBatchRequest.MAX_NODES; i++) {
        tooMany.add(new CreateNodeRequest(UUID.randomUUID(), other.id(), NodeKind.D, name("d" + i), key(), null));
      }
      assertFails(ErrorType.BAD_REQUEST, () -> tree.createAll(alice.id(), tooMany, Optional.empty()));
      assertThat(tree.children(alice.id(), other.id()).entries()).isEmpty();

      // another user's folder is not theirs to fill
      User bob = signup("bob");
      assertFails(ErrorType.FORBIDDEN, () -> tree.createAll(bob.id(), List.of(
          new CreateNodeRequest(UUID.randomUUID(), other.id(), NodeKind.D, name("x"), key(), null)), Optional.empty()));
    }

    @Test
    @DisplayName("keeps each version's encrypted metadata as the client sent it, and no more than 256 bytes")
    void versionMeta() throws Exception {
      User alice = signup("alice");
      BlockRef b = block(10);
      CommitRequest plain = commit(null, b);
      byte[] meta = new byte[CommitRequest.MAX_META_BYTES];
      Arrays.fill(meta, (byte) 7);
      CommitRequest withMeta = new CommitRequest(plain.versionId(), null, plain.size(), plain.segmentSize(), plain.blocks(), null, meta);
      NodeInfo f = tree.create(alice.id(), new CreateNodeRequest(UUID.randomUUID(), alice.home(), NodeKind.F, name("m"), key(), withMeta)).node();
      assertThat(f.version().meta()).isEqualTo(meta);
      assertThat(tree.get(alice.id(), f.id()).version().meta()).isEqualTo(meta);
      assertThat(tree.children(alice.id(), alice.home()).entries().get(0).version().meta()).isEqualTo(meta);
      // a later version without metadata has none
      CommitRequest next = commit(f.version().id(), block(11));
      assertThat(tree.commit(alice.id(), f.id(), next).version().meta()).isNull();
      CommitRequest tooBig = new CommitRequest(UUID.randomUUID(), next.versionId(), 12, plain.segmentSize(), List.of(block(12)), null, new byte[CommitRequest.MAX_META_BYTES + 1]);
      assertFails(ErrorType.BAD_REQUEST, () -> tree.commit(alice.id(), f.id(), tooBig));
    }

    @Test
    @DisplayName("renames and moves within the owner's tree, never into itself")
    void renameAndMove() throws Exception {
      User alice = signup("alice");
      NodeInfo a = folder(alice, alice.home(), "a");
      NodeInfo b = folder(alice, a.id(), "b");
      NodeInfo f = file(alice, b.id(), "f", block(10));

      NodeInfo renamed = move(alice, f.id(), b.id(), "g");
      assertThat(renamed.encName()).isEqualTo(name("g"));
      assertThat(names(tree.children(alice.id(), b.id()).entries())).containsExactly("g");

      move(alice, f.id(), alice.home(), "g");
      assertThat(names(tree.children(alice.id(), alice.home()).entries()))
          .containsExactlyInAnyOrder("a", "g");
      assertThat(tree.children(alice.id(), b.id()).entries()).isEmpty();
      assertThat(tree.get(alice.id(), f.id()).size()).isEqualTo(10);

      assertFails(ErrorType.INVALID_MOVE, () -> move(alice, a.id(), b.id(), "a"));
      assertFails(ErrorType.INVALID_MOVE, () -> move(alice, a.id(), a.id(), "a"));
      assertFails(ErrorType.BAD_REQUEST, () -> move(alice, a.id(), f.id(), "a"));
      assertFails(ErrorType.FORBIDDEN, () -> move(alice, alice.home(), a.id(), "home"));
      assertThat(tree.get(alice.id(), b.id()).parentId()).isEqualTo(a.id());
    }

    @Test
    @DisplayName("moves never cross owners, and a stranger sees nothing")
    void otherOwners() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      NodeInfo mine = folder(alice, alice.home(), "mine");
      assertFails(ErrorType.FORBIDDEN, () -> move(alice, mine.id(), bob.home(), "mine"));
      NodeInfo bobs = folder(bob, bob.home(), "open to alice");
      grant(bob, bobs.id(), alice, Mode.W);
      assertFails(ErrorType.BAD_REQUEST, () -> move(alice, mine.id(), bobs.id(), "mine"));
      assertFails(ErrorType.FORBIDDEN, () -> tree.get(bob.id(), mine.id()));
      assertFails(ErrorType.FORBIDDEN, () -> tree.children(bob.id(), alice.home()));
      assertFails(ErrorType.FORBIDDEN, () -> folder(bob, mine.id(), "intruder"));
      assertFails(ErrorType.FORBIDDEN, () -> tree.delete(bob.id(), mine.id(), true));
      assertThat(tree.children(alice.id(), mine.id()).entries()).isEmpty();
    }

    @Test
    @DisplayName("deletes a file or an empty folder; a full folder only recursively; never a home")
    void deletes() throws Exception {
      User alice = signup("alice");
      NodeInfo d = folder(alice, alice.home(), "d");
      NodeInfo f = file(alice, d.id(), "f", block(300));
      NodeInfo empty = folder(alice, alice.home(), "empty");

      assertFails(ErrorType.NOT_EMPTY, () -> tree.delete(alice.id(), d.id(), false));
      assertThat(tree.get(alice.id(), f.id()).size()).isEqualTo(300);
      tree.delete(alice.id(), empty.id(), false);
      tree.delete(alice.id(), f.id(), false);
      assertThat(accounts.account(alice.id()).usedBytes()).isZero();
      tree.delete(alice.id(), d.id(), false);
      assertFails(ErrorType.NOT_FOUND, () -> tree.get(alice.id(), d.id()));
      assertThat(tree.children(alice.id(), alice.home()).entries()).isEmpty();
      assertFails(ErrorType.FORBIDDEN, () -> tree.delete(alice.id(), alice.home(), true));
    }
  }

  @Nested
  @DisplayName("names")
  class Names {
    @Test
    @DisplayName("are bytes: names differing only in case or in a trailing byte are different")
    void binary() throws Exception {
      User alice = signup("alice");
      NodeInfo box = folder(alice, alice.home(), "box");
      List<byte[]> names =
          List.of(
              name("a"),
              name("A"),
              name("a "),
              bytes(0x61, 0x00),
              bytes(0x61, 0xff),
              bytes(0xff, 0xfe),
              bytes(0xc3, 0xa9), // é precomposed
              bytes(0x65, 0xcc, 0x81)); // é decomposed: equal under Unicode normalisation
      List<UUID> ids = new ArrayList<>();
      for (byte[] n : names) {
        ids.add(create(alice, box.id(), NodeKind.D, n).id());
      }
      assertThat(tree.children(alice.id(), box.id()).entries())
          .extracting(e -> HexFormat.of().formatHex(e.encName()))
          .containsExactlyInAnyOrderElementsOf(
              names.stream().map(n -> HexFormat.of().formatHex(n)).toList());
      for (int i = 0; i < names.size(); i++) {
        assertThat(tree.child(alice.id(), box.id(), names.get(i)).id())
            .as("entry %s", HexFormat.of().formatHex(names.get(i)))
            .isEqualTo(ids.get(i));
      }
      assertFails(ErrorType.NOT_FOUND, () -> tree.child(alice.id(), box.id(), name("a  ")));
    }

    @Test
    @DisplayName("are unique per folder, for creates and renames, but not across folders")
    void unique() throws Exception {
      User alice = signup("alice");
      NodeInfo x = folder(alice, alice.home(), "x");
      NodeInfo y = folder(alice, alice.home(), "y");
      folder(alice, x.id(), "same");
      folder(alice, y.id(), "same");
      assertFails(ErrorType.NAME_EXISTS, () -> folder(alice, x.id(), "same"));
      assertFails(ErrorType.NAME_EXISTS, () -> file(alice, x.id(), "same", block(5)));
      NodeInfo other = folder(alice, x.id(), "other");
      assertFails(ErrorType.NAME_EXISTS, () -> move(alice, other.id(), x.id(), "same"));
      assertFails(ErrorType.NAME_EXISTS, () -> move(alice, other.id(), y.id(), "same"));
      assertThat(names(tree.children(alice.id(), x.id()).entries()))
          .containsExactlyInAnyOrder("same", "other");
      // the failed file create kept nothing
      assertThat(accounts.account(alice.id()).usedBytes()).isZero();
    }

    @Test
    @DisplayName("must have 1 to 512 bytes")
    void length() {
      User alice = signup("alice");
      assertFails(
          ErrorType.INVALID_NAME, () -> create(alice, alice.home(), NodeKind.D, new byte[0]));
      assertFails(
          ErrorType.INVALID_NAME, () -> create(alice, alice.home(), NodeKind.D, new byte[513]));
      create(alice, alice.home(), NodeKind.D, new byte[512]);
    }
  }

  @Nested
  @DisplayName("a file's versions")
  class Versions {
    @Test
    @DisplayName("keep the newest few; older ones are released with their bytes and block refs")
    void keepAndRelease() throws Exception {
      User alice = signup("alice");
      NodeInfo f = create(alice, alice.home(), NodeKind.F, name("f"));
      List<BlockRef> bs = new ArrayList<>();
      List<UUID> vs = new ArrayList<>();
      UUID base = null;
      for (int i = 1; i <= KEEP_VERSIONS + 2; i++) {
        BlockRef b = block(100 * i);
        bs.add(b);
        NodeInfo after = tree.commit(alice.id(), f.id(), commit(base, b));
        assertThat(after.version().seq()).isEqualTo(i);
        assertThat(after.size()).isEqualTo(100L * i);
        base = after.version().id();
        vs.add(base);
      }
      for (int i = 0; i < vs.size(); i++) {
        UUID v = vs.get(i);
        if (i < vs.size() - KEEP_VERSIONS) {
          assertFails(ErrorType.NOT_FOUND, () -> tree.version(alice.id(), f.id(), v));
          assertThat(refs(bs.get(i))).isZero();
        } else {
          assertThat(tree.version(alice.id(), f.id(), v).blocks()).containsExactly(bs.get(i));
          assertThat(refs(bs.get(i))).isOne();
        }
      }
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(300 + 400 + 500);
      assertThat(tree.get(alice.id(), f.id()).version().id()).isEqualTo(vs.getLast());
    }

    @Test
    @DisplayName("commit only on the current version, and only with uploaded blocks")
    void compareAndSet() throws Exception {
      User alice = signup("alice");
      NodeInfo f = file(alice, alice.home(), "f", block(10));
      UUID v1 = f.version().id();
      tree.commit(alice.id(), f.id(), commit(v1, block(20)));
      assertThatThrownBy(() -> tree.commit(alice.id(), f.id(), commit(v1, block(30))))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.type()).isEqualTo(ErrorType.VERSION_CONFLICT);
                assertThat(e.currentVersionId()).isPresent().get().isNotEqualTo(v1);
              });
      assertFails(
          ErrorType.VERSION_CONFLICT,
          () -> tree.commit(alice.id(), f.id(), commit(null, block(5))));
      UUID current = tree.get(alice.id(), f.id()).version().id();
      BlockRef never = new BlockRef(sha256(random(16)), 16);
      assertFails(
          ErrorType.MISSING_BLOCKS, () -> tree.commit(alice.id(), f.id(), commit(current, never)));
      assertThat(tree.get(alice.id(), f.id()).size()).isEqualTo(20);
      assertFails(
          ErrorType.BAD_REQUEST,
          () -> tree.commit(alice.id(), alice.home(), commit(null, block(5))));
    }

    @Test
    @DisplayName("share blocks: one ref per use, however many versions use a block")
    void sharedBlocks() throws Exception {
      User alice = signup("alice");
      BlockRef b = block(64);
      long before = refs(b);
      NodeInfo f = file(alice, alice.home(), "f", b, b);
      NodeInfo g = file(alice, alice.home(), "g", b);
      assertThat(refs(b)).isEqualTo(before + 3);
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(3 * 64);
      tree.delete(alice.id(), f.id(), false);
      assertThat(refs(b)).isEqualTo(before + 1);
      tree.delete(alice.id(), g.id(), false);
      assertThat(refs(b)).isEqualTo(before);
    }
  }

  @Nested
  @DisplayName("grants")
  class Grants {
    @Test
    @DisplayName("READ lets the grantee see a subtree but change nothing")
    void read() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      NodeInfo shared = folder(alice, alice.home(), "shared");
      NodeInfo f = file(alice, shared.id(), "f", block(10));
      GrantInfo g = grant(alice, shared.id(), bob, Mode.R);
      assertThat(g.granteeName()).isEqualTo(bob.username());
      assertThat(sharing.received(bob.id()).grants())
          .extracting(GrantInfo::nodeId)
          .containsExactly(shared.id());
      assertThat(sharing.given(alice.id()).grants())
          .extracting(GrantInfo::granteeId)
          .containsExactly(bob.id());

      assertThat(tree.get(bob.id(), shared.id()).access()).isEqualTo(Access.READ);
      assertThat(tree.children(bob.id(), shared.id()).entries())
          .extracting(NodeInfo::id)
          .containsExactly(f.id());
      assertThat(tree.get(bob.id(), f.id()).access()).isEqualTo(Access.READ);
      assertFails(ErrorType.FORBIDDEN, () -> folder(bob, shared.id(), "new"));
      assertFails(
          ErrorType.FORBIDDEN,
          () -> tree.commit(bob.id(), f.id(), commit(f.version().id(), block(3))));
      assertFails(ErrorType.FORBIDDEN, () -> move(bob, f.id(), shared.id(), "renamed"));
      assertFails(ErrorType.FORBIDDEN, () -> tree.delete(bob.id(), f.id(), false));
      assertFails(ErrorType.FORBIDDEN, () -> tree.get(bob.id(), alice.home()));
      assertFails(ErrorType.FORBIDDEN, () -> sharing.ofNode(bob.id(), shared.id()));
    }

    @Test
    @DisplayName(
        "WRITE lets the grantee add and change entries, charged to the owner, not the share")
    void write() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      NodeInfo shared = folder(alice, alice.home(), "shared");
      grant(alice, shared.id(), bob, Mode.W);
      assertThat(tree.get(bob.id(), shared.id()).access()).isEqualTo(Access.WRITE);

      NodeInfo f = file(bob, shared.id(), "from-bob", block(500));
      assertThat(f.ownerId()).isEqualTo(alice.id());
      NodeInfo next = tree.commit(bob.id(), f.id(), commit(f.version().id(), block(700)));
      assertThat(next.version().authorId()).isEqualTo(bob.id());
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(1200);
      assertThat(accounts.account(bob.id()).usedBytes()).isZero();

      move(bob, f.id(), shared.id(), "renamed");
      NodeInfo unshared = folder(alice, alice.home(), "unshared");
      assertFails(ErrorType.FORBIDDEN, () -> move(bob, f.id(), unshared.id(), "out"));
      assertFails(ErrorType.BAD_REQUEST, () -> move(bob, f.id(), bob.home(), "taken home"));
      assertFails(ErrorType.FORBIDDEN, () -> move(bob, shared.id(), alice.home(), "taken"));
      assertFails(ErrorType.FORBIDDEN, () -> tree.delete(bob.id(), shared.id(), true));
      assertFails(ErrorType.FORBIDDEN, () -> grant(bob, f.id(), signup("carol"), Mode.R));
      tree.delete(bob.id(), f.id(), false);
      assertThat(accounts.account(alice.id()).usedBytes()).isZero();
    }

    @Test
    @DisplayName("a revoke takes effect on the grantee's next request; a change of mode too")
    void revoke() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      NodeInfo shared = folder(alice, alice.home(), "shared");
      grant(alice, shared.id(), bob, Mode.W);
      folder(bob, shared.id(), "one");
      grant(alice, shared.id(), bob, Mode.R);
      assertThat(sharing.ofNode(alice.id(), shared.id()).grants())
          .singleElement()
          .extracting(GrantInfo::mode)
          .isEqualTo(Mode.R);
      assertFails(ErrorType.FORBIDDEN, () -> folder(bob, shared.id(), "two"));
      sharing.delete(alice.id(), shared.id(), bob.id());
      assertFails(ErrorType.FORBIDDEN, () -> tree.get(bob.id(), shared.id()));
      assertThat(sharing.received(bob.id()).grants()).isEmpty();
      assertThat(tree.get(alice.id(), shared.id()).shared()).isFalse();
    }

    @Test
    @DisplayName("the owner moving a shared node must re-seal every grant on it")
    void reseal() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      NodeInfo shared = folder(alice, alice.home(), "shared");
      grant(alice, shared.id(), bob, Mode.R);
      assertFails(ErrorType.BAD_REQUEST, () -> move(alice, shared.id(), alice.home(), "moved"));
      byte[] sealed = random(40);
      tree.move(
          alice.id(),
          shared.id(),
          new MoveRequest(
              alice.home(), name("moved"), key(), List.of(new Reseal(bob.id(), sealed))));
      assertThat(sharing.received(bob.id()).grants())
          .singleElement()
          .extracting(GrantInfo::sealedKey)
          .isEqualTo(sealed);
    }

    @Test
    @DisplayName("can't be given to oneself, to an unknown user, or by anyone but the owner")
    void refused() {
      User alice = signup("alice");
      User bob = signup("bob");
      NodeInfo shared = folder(alice, alice.home(), "shared");
      assertFails(ErrorType.BAD_REQUEST, () -> grant(alice, shared.id(), alice, Mode.R));
      assertFails(
          ErrorType.UNKNOWN_USER,
          () ->
              sharing.put(
                  alice.id(), shared.id(), UUID.randomUUID(), new GrantRequest(Mode.R, key())));
      assertFails(ErrorType.FORBIDDEN, () -> sharing.delete(bob.id(), shared.id(), alice.id()));
      assertThat(sharing.given(alice.id()).grants()).isEmpty();
    }
  }

  @Nested
  @DisplayName("unknown ids")
  class UnknownIds {
    @Test
    @DisplayName("answer not-found for nodes and versions, unknown-user for users")
    void notFound() throws Exception {
      User alice = signup("alice");
      UUID nobody = UUID.randomUUID();
      NodeInfo f = file(alice, alice.home(), "f", block(10));
      assertFails(ErrorType.NOT_FOUND, () -> tree.get(alice.id(), nobody));
      assertFails(ErrorType.NOT_FOUND, () -> tree.children(alice.id(), nobody));
      assertFails(
          ErrorType.NOT_FOUND, () -> tree.commit(alice.id(), nobody, commit(null, block(5))));
      assertFails(ErrorType.NOT_FOUND, () -> folder(alice, nobody, "x"));
      assertFails(ErrorType.NOT_FOUND, () -> move(alice, nobody, alice.home(), "x"));
      assertFails(ErrorType.NOT_FOUND, () -> move(alice, f.id(), nobody, "x"));
      assertFails(ErrorType.NOT_FOUND, () -> tree.delete(alice.id(), nobody, true));
      assertFails(ErrorType.NOT_FOUND, () -> tree.version(alice.id(), f.id(), nobody));
      assertFails(ErrorType.NOT_FOUND, () -> tree.block(alice.id(), f.id(), f.version().id(), 1));
      assertFails(ErrorType.NOT_FOUND, () -> sharing.ofNode(alice.id(), nobody));
      assertFails(ErrorType.NOT_FOUND, () -> grant(alice, nobody, signup("bob"), Mode.R));
      assertFails(ErrorType.UNAUTHENTICATED, () -> accounts.account(nobody));
      assertFails(ErrorType.UNKNOWN_USER, () -> accounts.user("no-such-" + alice.username()));
      assertFails(
          ErrorType.INVALID_CREDENTIALS,
          () -> accounts.login(new LoginRequest("no-such-" + alice.username(), random(32)), "x"));
    }
  }

  @Nested
  @DisplayName("a quota")
  class Quotas {
    @Test
    @DisplayName("refuses a version that does not fit, and counts what a released version frees")
    void exceeded() throws Exception {
      User small = signup("small", 1000);
      NodeInfo f = file(small, small.home(), "f", block(600));
      assertFails(ErrorType.QUOTA_EXCEEDED, () -> file(small, small.home(), "g", block(401)));
      assertThat(tree.children(small.id(), small.home()).entries()).hasSize(1);
      NodeInfo g = file(small, small.home(), "g", block(400));
      assertThat(accounts.account(small.id()).usedBytes()).isEqualTo(1000);
      assertFails(
          ErrorType.QUOTA_EXCEEDED,
          () -> tree.commit(small.id(), g.id(), commit(g.version().id(), block(1))));
      tree.delete(small.id(), f.id(), false);
      UUID v = g.version().id();
      for (int i = 0; i < KEEP_VERSIONS + 1; i++) {
        // a full quota still takes a version that frees as much as it needs, by releasing one
        v = tree.commit(small.id(), g.id(), commit(v, block(300))).version().id();
      }
      assertThat(accounts.account(small.id()).usedBytes()).isEqualTo(900);
    }
  }

  @Nested
  @DisplayName("a retried request")
  class Retries {
    @Test
    @DisplayName("create: the same request twice answers the same node once created")
    void createTwice() throws Exception {
      User alice = signup("alice");
      BlockRef b = block(50);
      CreateNodeRequest r =
          new CreateNodeRequest(
              UUID.randomUUID(), alice.home(), NodeKind.F, name("f"), key(), commit(null, b));
      Tree.Created first = tree.create(alice.id(), r);
      Tree.Created again = tree.create(alice.id(), r);
      assertThat(first.created()).isTrue();
      assertThat(again.created()).isFalse();
      assertThat(again.node().id()).isEqualTo(first.node().id());
      assertThat(again.node().version().id()).isEqualTo(first.node().version().id());
      assertThat(tree.children(alice.id(), alice.home()).entries()).hasSize(1);
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(50);
      CreateNodeRequest renamed =
          new CreateNodeRequest(r.id(), alice.home(), NodeKind.F, name("other"), key(), null);
      assertFails(ErrorType.BAD_REQUEST, () -> tree.create(alice.id(), renamed));
    }

    @Test
    @DisplayName("commit: the same versionId twice makes one version, even after a newer one")
    void commitTwice() throws Exception {
      User alice = signup("alice");
      NodeInfo f = file(alice, alice.home(), "f", block(10));
      CommitRequest r = commit(f.version().id(), block(20));
      NodeInfo first = tree.commit(alice.id(), f.id(), r);
      NodeInfo again = tree.commit(alice.id(), f.id(), r);
      assertThat(again.version().id()).isEqualTo(first.version().id()).isEqualTo(r.versionId());
      assertThat(again.version().seq()).isEqualTo(2);
      tree.commit(alice.id(), f.id(), commit(r.versionId(), block(30)));
      tree.commit(alice.id(), f.id(), r);
      assertThat(tree.version(alice.id(), f.id(), r.versionId()).seq()).isEqualTo(2);
      assertThat(tree.get(alice.id(), f.id()).version().seq()).isEqualTo(3);
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(60);
      NodeInfo g = file(alice, alice.home(), "g", block(10));
      assertFails(ErrorType.BAD_REQUEST, () -> tree.commit(alice.id(), g.id(), r));
    }
  }

  @Nested
  @DisplayName("a deep tree")
  class DeepTrees {
    @Test
    @DisplayName("nests folders up to the depth limit, no further, also by moving; deletes whole")
    void depthLimit() throws Exception {
      User alice = signup("alice");
      // chain.get(i) is at depth i + 1 below home; all but the deepest are written in one
      // transaction, as a long series of creates would be slow on the client-server engines
      List<UUID> chain = new ArrayList<>();
      db.write(
          c -> {
            UUID parent = alice.home();
            for (int depth = 1; depth < NodeStore.MAX_TREE_DEPTH; depth++) {
              UUID id = UUID.randomUUID();
              long now = clock.millis();
              nodes.insert(
                  c,
                  new NodeStore.NodeRow(
                      id, parent, alice.id(), NodeKind.D, name("d"), key(), null, 0, now, now));
              chain.add(id);
              parent = id;
            }
            return null;
          });
      UUID deepest = folder(alice, chain.getLast(), "deepest").id();
      chain.add(deepest);
      assertFails(ErrorType.BAD_REQUEST, () -> folder(alice, deepest, "too-deep"));
      assertFails(ErrorType.BAD_REQUEST, () -> file(alice, deepest, "too-deep", block(70)));
      NodeInfo f = file(alice, chain.get(NodeStore.MAX_TREE_DEPTH - 2), "deepest-file", block(70));
      assertThat(tree.get(alice.id(), f.id()).size()).isEqualTo(70);

      // a folder with a child: 2 levels; fits below depth MAX-2, not below MAX-1
      NodeInfo two = folder(alice, alice.home(), "two");
      folder(alice, two.id(), "child");
      UUID atMaxMinus1 = chain.get(NodeStore.MAX_TREE_DEPTH - 2);
      UUID atMaxMinus2 = chain.get(NodeStore.MAX_TREE_DEPTH - 3);
      assertFails(ErrorType.BAD_REQUEST, () -> move(alice, two.id(), atMaxMinus1, "two"));
      move(alice, two.id(), atMaxMinus2, "two");
      move(alice, two.id(), atMaxMinus2, "renamed in place");

      tree.delete(alice.id(), chain.getFirst(), true);
      assertThat(tree.children(alice.id(), alice.home()).entries()).isEmpty();
      assertThat(ownedNodes(alice)).isEqualTo(1);
      assertThat(accounts.account(alice.id()).usedBytes()).isZero();
    }
  }

  @Nested
  @DisplayName("a recursive delete")
  class RecursiveDelete {
    @Test
    @DisplayName("of a subtree with files and grants removes every row, frees quota, drops refs")
    void subtree() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      User carol = signup("carol");
      BlockRef kept = block(111);
      NodeInfo outside = file(alice, alice.home(), "outside", kept);
      long usedBefore = accounts.account(alice.id()).usedBytes();
      long keptRefs = refs(kept);

      NodeInfo top = folder(alice, alice.home(), "top");
      NodeInfo a = folder(alice, top.id(), "a");
      NodeInfo b = folder(alice, a.id(), "b");
      NodeInfo c = folder(alice, b.id(), "c");
      BlockRef own = block(222);
      NodeInfo fa = file(alice, a.id(), "fa", own, kept);
      tree.commit(alice.id(), fa.id(), commit(fa.version().id(), own));
      NodeInfo fc = file(alice, c.id(), "fc", kept);
      grant(alice, a.id(), bob, Mode.R);
      grant(alice, b.id(), carol, Mode.W);
      grant(alice, fc.id(), bob, Mode.W);
      NodeInfo byCarol = file(carol, c.id(), "by-carol", block(33));
      List<UUID> subtree =
          List.of(top.id(), a.id(), b.id(), c.id(), fa.id(), fc.id(), byCarol.id());

      assertFails(ErrorType.NOT_EMPTY, () -> tree.delete(alice.id(), top.id(), false));
      assertFails(ErrorType.FORBIDDEN, () -> tree.delete(carol.id(), b.id(), true));
      tree.delete(alice.id(), top.id(), true);

      for (UUID id : subtree) {
        assertFails(ErrorType.NOT_FOUND, () -> tree.get(alice.id(), id));
      }
      assertThat(count("SELECT COUNT(*) FROM nodes WHERE id IN " + in(subtree))).isZero();
      assertThat(count("SELECT COUNT(*) FROM versions WHERE node_id IN " + in(subtree))).isZero();
      assertThat(count("SELECT COUNT(*) FROM grants WHERE node_id IN " + in(subtree))).isZero();
      assertThat(sharing.received(bob.id()).grants()).isEmpty();
      assertThat(sharing.received(carol.id()).grants()).isEmpty();
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(usedBefore);
      assertThat(refs(kept)).isEqualTo(keptRefs);
      assertThat(refs(own)).isZero();
      assertThat(tree.get(alice.id(), outside.id()).size()).isEqualTo(111);
      assertThat(names(tree.children(alice.id(), alice.home()).entries()))
          .containsExactly("outside");
    }
  }

  // ---- contention ----

  @Nested
  @DisplayName("under contention")
  class Contention {
    @Test
    @DisplayName("of creates and renames to one name in one folder, exactly one wins")
    void sameName() throws Exception {
      User alice = signup("alice");
      BlockRef b = block(1000);
      for (int round = 0; round < ROUNDS; round++) {
        NodeInfo box = folder(alice, alice.home(), "box" + round);
        List<NodeInfo> others = new ArrayList<>();
        for (int i = 0; i < THREADS / 2; i++) {
          others.add(file(alice, box.id(), "other" + i, b));
        }
        long used = accounts.account(alice.id()).usedBytes();
        List<Callable<UUID>> tasks = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          NodeKind kind = i % 2 == 0 ? NodeKind.D : NodeKind.F;
          CommitRequest first = kind == NodeKind.F ? commit(null, b) : null;
          UUID id = UUID.randomUUID();
          NodeInfo other = i < others.size() ? others.get(i) : null;
          tasks.add(
              other == null
                  ? () ->
                      tree.create(
                              alice.id(),
                              new CreateNodeRequest(id, box.id(), kind, name("x"), key(), first))
                          .node()
                          .id()
                  : () -> move(alice, other.id(), box.id(), "x").id());
        }
        List<Outcome<UUID>> outcomes = Race.run(tasks);

        UUID winner = Race.onlyWinner(outcomes, ErrorType.NAME_EXISTS);
        assertThat(tree.child(alice.id(), box.id(), name("x")).id()).isEqualTo(winner);
        assertThat(tree.children(alice.id(), box.id()).entries())
            .filteredOn(e -> Arrays.equals(e.encName(), name("x")))
            .hasSize(1);
        NodeInfo won = tree.get(alice.id(), winner);
        boolean newFile =
            won.kind() == NodeKind.F && others.stream().noneMatch(o -> o.id().equals(winner));
        assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(used + (newFile ? 1000 : 0));
        assertInvariants();
      }
    }

    @Test
    @DisplayName("of one create retried while it is in flight, every call answers the one node")
    void sameCreate() throws Exception {
      User alice = signup("alice");
      for (int round = 0; round < ROUNDS; round++) {
        CreateNodeRequest r =
            new CreateNodeRequest(
                UUID.randomUUID(),
                alice.home(),
                NodeKind.F,
                name("f" + round),
                key(),
                commit(null, block(10)));
        List<Callable<Tree.Created>> tasks = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          tasks.add(() -> tree.create(alice.id(), r));
        }
        List<Outcome<Tree.Created>> outcomes = Race.run(tasks);
        assertThat(Race.count(outcomes, Outcome::won))
            .as("successes in %s", outcomes)
            .isEqualTo(THREADS);
        assertThat(outcomes).filteredOn(o -> o.value().created()).as("creators").hasSize(1);
        assertThat(outcomes)
            .allSatisfy(
                o ->
                    assertThat(o.value().node().version().id()).isEqualTo(r.version().versionId()));
      }
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(10L * ROUNDS);
      assertInvariants();
    }

    @Test
    @DisplayName("of signups for one username, exactly one wins")
    void sameUsername() throws Exception {
      for (int round = 0; round < ROUNDS; round++) {
        String username = "race-" + nextUserNumber();
        List<Callable<UUID>> tasks = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          SignupRequest r = signupRequest(UUID.randomUUID(), username);
          tasks.add(() -> accounts.signup(r).account().userId());
        }
        UUID winner = Race.onlyWinner(Race.run(tasks), ErrorType.USER_EXISTS);
        assertThat(accounts.user(username).userId()).isEqualTo(winner);
      }
      assertInvariants();
    }

    @Test
    @DisplayName("of commits on one file, exactly one wins per base version")
    void compareAndSet() throws Exception {
      User alice = signup("alice");
      NodeInfo f = file(alice, alice.home(), "f", block(7));
      UUID base = f.version().id();
      BlockRef b = block(100);
      for (int round = 1; round <= ROUNDS * 2; round++) {
        UUID currentBase = base;
        List<Callable<UUID>> tasks = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          CommitRequest r = commit(currentBase, b);
          tasks.add(() -> tree.commit(alice.id(), f.id(), r).version().id());
        }
        List<Outcome<UUID>> outcomes = Race.run(tasks);
        UUID winner = Race.onlyWinner(outcomes, ErrorType.VERSION_CONFLICT);
        assertThat(outcomes)
            .filteredOn(o -> !o.won())
            .as("losers are told the winning version")
            .allSatisfy(
                o -> assertThat(((ApiException) o.error()).currentVersionId()).contains(winner));
        NodeInfo now = tree.get(alice.id(), f.id());
        assertThat(now.version().id()).isEqualTo(winner);
        assertThat(now.version().seq()).isEqualTo(round + 1);
        base = winner;
      }
      assertThat(count("SELECT COUNT(*) FROM versions WHERE node_id = ?", f.id()))
          .isEqualTo(KEEP_VERSIONS);
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(100L * KEEP_VERSIONS);
      assertInvariants();
    }

    @Test
    @DisplayName("of moves that together would close a cycle, the tree never gets one")
    void moveCycle() throws Exception {
      User alice = signup("alice");
      for (int round = 0; round < ROUNDS; round++) {
        NodeInfo ringHome = folder(alice, alice.home(), "ring" + round);
        List<NodeInfo> ring = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          ring.add(folder(alice, ringHome.id(), "r" + i));
        }
        List<Callable<UUID>> tasks = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          NodeInfo node = ring.get(i);
          NodeInfo into = ring.get((i + 1) % THREADS);
          tasks.add(() -> move(alice, node.id(), into.id(), "r").id());
        }
        List<Outcome<UUID>> outcomes = Race.run(tasks);
        assertInvariants();
        // any order of these moves one after another lets all but the one closing the ring pass
        assertThat(Race.count(outcomes, Outcome::won))
            .as("moves done in %s", outcomes)
            .isEqualTo(THREADS - 1);
        assertThat(outcomes)
            .filteredOn(o -> !o.won())
            .singleElement()
            .extracting(Outcome::type)
            .isEqualTo(ErrorType.INVALID_MOVE);
        assertThat(tree.children(alice.id(), ringHome.id()).entries()).hasSize(1);
      }
    }

    @Test
    @DisplayName(
        "of a recursive delete and writes into the deleted folder, nothing is left orphaned")
    void deleteVersusWrites() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      BlockRef b = block(250);
      for (int round = 0; round < ROUNDS; round++) {
        NodeInfo d = folder(alice, alice.home(), "doomed" + round);
        NodeInfo sub = folder(alice, d.id(), "sub");
        NodeInfo f1 = file(alice, d.id(), "f1", b);
        NodeInfo f2 = file(alice, sub.id(), "f2", b);
        NodeInfo x1 = file(alice, alice.home(), "x1-" + round, b);
        NodeInfo x2 = folder(alice, alice.home(), "x2-" + round);
        file(alice, x2.id(), "inside", b);
        List<NodeInfo> movers = List.of(x1, x2);

        List<Callable<Object>> tasks = new ArrayList<>();
        tasks.add(() -> folder(alice, d.id(), "new-folder"));
        tasks.add(() -> file(alice, sub.id(), "new-file", b));
        tasks.add(() -> tree.commit(alice.id(), f1.id(), commit(f1.version().id(), b)));
        tasks.add(() -> tree.commit(alice.id(), f2.id(), commit(f2.version().id(), b)));
        tasks.add(() -> move(alice, x1.id(), d.id(), "x1"));
        tasks.add(() -> move(alice, x2.id(), sub.id(), "x2"));
        tasks.add(() -> grant(alice, f1.id(), bob, Mode.R));
        int deleter = tasks.size();
        tasks.add(
            () -> {
              tree.delete(alice.id(), d.id(), true);
              return "deleted";
            });
        List<Outcome<Object>> outcomes = Race.run(tasks);

        assertInvariants();
        assertThat(outcomes.get(deleter).won())
            .as("the delete: %s", outcomes.get(deleter))
            .isTrue();
        assertThat(outcomes)
            .as("writes succeed before the delete or find nothing after it")
            .allSatisfy(
                o -> assertThat(o.won() || o.failedWith(ErrorType.NOT_FOUND)).as("%s", o).isTrue());
        assertFails(ErrorType.NOT_FOUND, () -> tree.get(alice.id(), d.id()));
        for (int i = 0; i < movers.size(); i++) {
          UUID moved = movers.get(i).id();
          if (outcomes.get(4 + i).won()) {
            assertFails(ErrorType.NOT_FOUND, () -> tree.get(alice.id(), moved));
          } else {
            assertThat(tree.get(alice.id(), moved).parentId()).isEqualTo(alice.home());
          }
        }
        assertThat(sharing.received(bob.id()).grants()).isEmpty();
      }
    }

    @Test
    @DisplayName("of commits near a full quota, used bytes never pass it and stay exact")
    void quotaLimit() throws Exception {
      int fits = THREADS / 2 + 1;
      for (int round = 0; round < ROUNDS; round++) {
        User u = signup("quota", 100L * fits);
        BlockRef b = block(100);
        List<NodeInfo> files = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          files.add(create(u, u.home(), NodeKind.F, name("f" + i)));
        }
        List<Callable<UUID>> tasks = new ArrayList<>();
        for (NodeInfo f : files) {
          CommitRequest r = commit(null, b);
          tasks.add(() -> tree.commit(u.id(), f.id(), r).version().id());
        }
        List<Outcome<UUID>> outcomes = Race.run(tasks);
        assertThat(Race.count(outcomes, Outcome::won))
            .as("commits in %s", outcomes)
            .isEqualTo(fits);
        assertThat(Race.count(outcomes, o -> o.failedWith(ErrorType.QUOTA_EXCEEDED)))
            .as("quota-exceeded in %s", outcomes)
            .isEqualTo(THREADS - fits);
        assertThat(accounts.account(u.id()).usedBytes()).isEqualTo(100L * fits);
        assertInvariants();
      }
    }

    @Test
    @DisplayName("of commits, releases and deletes by one user, used bytes are exact")
    void quotaExact() throws Exception {
      User alice = signup("alice");
      List<BlockRef> sizes = List.of(block(10), block(200), block(3000));
      List<Callable<Long>> tasks = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        tasks.add(
            () -> {
              long kept = 0;
              for (int n = 0; n < 3; n++) {
                NodeInfo f = file(alice, alice.home(), "t" + thread + "-" + n, sizes.get(n));
                UUID v = f.version().id();
                List<Long> versions = new ArrayList<>(List.of(sizes.get(n).length()));
                for (int k = 0; k < KEEP_VERSIONS + 1; k++) {
                  BlockRef next = sizes.get((n + k + thread) % sizes.size());
                  v = tree.commit(alice.id(), f.id(), commit(v, next)).version().id();
                  versions.add(next.length());
                }
                if ((thread + n) % 2 == 0) {
                  tree.delete(alice.id(), f.id(), false);
                } else {
                  kept +=
                      versions.subList(versions.size() - KEEP_VERSIONS, versions.size()).stream()
                          .mapToLong(Long::longValue)
                          .sum();
                }
              }
              return kept;
            });
      }
      List<Outcome<Long>> outcomes = Race.run(tasks);
      assertThat(outcomes).as("every thread's work").allMatch(Outcome::won);
      long expected = outcomes.stream().mapToLong(Outcome::value).sum();
      assertThat(accounts.account(alice.id()).usedBytes()).isEqualTo(expected);
      assertInvariants();
    }

    @Test
    @DisplayName(
        "two users writing into each other's shared folders at once never deadlock (each names"
            + " the other's account as author)")
    void mutualSharesNoDeadlock() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      NodeInfo toAlice = folder(alice, alice.home(), "for bob");
      NodeInfo toBob = folder(bob, bob.home(), "for alice");
      grant(alice, toAlice.id(), bob, Mode.W);
      grant(bob, toBob.id(), alice, Mode.W);
      var contentA = block(100);
      var contentB = block(100);
      long retriesBefore = db.conflictRetries();
      for (int round = 0; round < ROUNDS; round++) {
        List<Callable<Object>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS / 2; t++) {
          String n = "r" + round + "t" + t;
          tasks.add(() -> file(bob, toAlice.id(), "b" + n, contentA));
          tasks.add(() -> file(alice, toBob.id(), "a" + n, contentB));
          // and each re-grants to the other (the grant names the grantee's account)
          tasks.add(() -> grant(alice, toAlice.id(), bob, Mode.W));
          tasks.add(() -> grant(bob, toBob.id(), alice, Mode.W));
        }
        assertThat(Race.run(tasks)).as("round " + round).allMatch(Outcome::won);
      }
      assertThat(db.conflictRetries() - retriesBefore).as("deadlocks retried").isZero();
      assertInvariants();
    }

    @Test
    @DisplayName("unrelated trees committing the same blocks at once never deadlock on their refs")
    void sharedBlocksNoDeadlock() throws Exception {
      User alice = signup("alice");
      User bob = signup("bob");
      var b1 = block(100);
      var b2 = block(100);
      long retriesBefore = db.conflictRetries();
      for (int round = 0; round < ROUNDS; round++) {
        List<Callable<NodeInfo>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS / 2; t++) {
          String n = "r" + round + "t" + t;
          // b2 before b1 on one side: refs must still be taken in one order
          tasks.add(() -> file(alice, alice.home(), "a" + n, b1, b2));
          tasks.add(() -> file(bob, bob.home(), "b" + n, b2, b1));
        }
        assertThat(Race.run(tasks)).as("round " + round).allMatch(Outcome::won);
      }
      assertThat(db.conflictRetries() - retriesBefore).as("deadlocks retried").isZero();
      assertInvariants();
    }

    @Test
    @DisplayName("unrelated trees' commits, each pruning the blocks the other adds, never deadlock")
    void pruningCommitsNoDeadlock() throws Exception {
      var x = block(100);
      var y = block(100);
      var filler = block(10);
      User alice = signup("alice");
      User bob = signup("bob");
      long retriesBefore = db.conflictRetries();
      for (int round = 0; round < ROUNDS * 3; round++) {
        List<Callable<NodeInfo>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS / 2; t++) {
          String n = "r" + round + "t" + t;
          // alice's commit adds y and prunes a version of x, bob's the other way round
          NodeInfo a = fullHistory(alice, "a" + n, x, filler);
          NodeInfo b = fullHistory(bob, "b" + n, y, filler);
          tasks.add(() -> tree.commit(alice.id(), a.id(), commit(a.version().id(), y)));
          tasks.add(() -> tree.commit(bob.id(), b.id(), commit(b.version().id(), x)));
        }
        assertThat(Race.run(tasks)).as("round " + round).allMatch(Outcome::won);
      }
      assertThat(db.conflictRetries() - retriesBefore).as("deadlocks retried").isZero();
      assertThat(refs(x)).isEqualTo(ROUNDS * 3 * (THREADS / 2));
      assertInvariants();
    }

    /** A file whose oldest version is {@code oldest}, with as many versions as are kept. */
    NodeInfo fullHistory(User u, String name, BlockRef oldest, BlockRef filler) {
      NodeInfo f = file(u, u.home(), name, oldest);
      for (int i = 1; i < KEEP_VERSIONS; i++) {
        f = tree.commit(u.id(), f.id(), commit(f.version().id(), filler));
      }
      return f;
    }
  }
}
