package io.edfs.client;

import io.edfs.client.EdfsException.Reason;
import io.edfs.client.internal.BlockDownloadStream;
import io.edfs.client.internal.BlockUploadStream;
import io.edfs.client.internal.Transport;
import io.edfs.crypto.v1.AccountKeys;
import io.edfs.crypto.v1.ContentFormat;
import io.edfs.crypto.v1.CryptoException;
import io.edfs.crypto.v1.InvalidNameException;
import io.edfs.crypto.v1.NodeSecret;
import io.edfs.crypto.v1.Sharing;
import io.edfs.crypto.v1.TamperedException;
import io.edfs.protocol.Access;
import io.edfs.protocol.BlockRef;
import io.edfs.protocol.CommitRequest;
import io.edfs.protocol.CreateBatchRequest;
import io.edfs.protocol.CreateNodeRequest;
import io.edfs.protocol.GrantInfo;
import io.edfs.protocol.GrantList;
import io.edfs.protocol.GrantRequest;
import io.edfs.protocol.Mode;
import io.edfs.protocol.MoveRequest;
import io.edfs.protocol.NodeInfo;
import io.edfs.protocol.NodeKind;
import io.edfs.protocol.NodeList;
import io.edfs.protocol.Reseal;
import io.edfs.protocol.UserInfo;
import io.edfs.protocol.VersionInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A logged-in user's view of edfs: every operation by path ({@link RemotePath}). Names and
 * contents are encrypted before they leave this object and decrypted after they arrive.
 * Thread-safe: concurrent operations are fine (each resolves its own path).
 */
public final class Session implements AutoCloseable {
  /** Size of a storage block of ciphertext. */
  public static final int BLOCK_SIZE = 4 * 1024 * 1024;

  /**
   * Files up to this size travel inside their commit request (one round trip); their
   * ciphertext stays within {@link CommitRequest#MAX_INLINE_BYTES}.
   */
  public static final int SMALL_FILE_BYTES = 448 * 1024;

  /**
   * The largest file: its commit lists every block in one JSON body, which the server takes up
   * to 1 MiB (about 10,000 block references of ~100 bytes).
   */
  public static final long MAX_FILE_BYTES = 9_000L * BLOCK_SIZE;

  /** Deeper than any tree the server allows: a longer chain of parents is a damaged answer. */
  private static final int MAX_DEPTH = 1024;

  private final Transport transport;
  private final SessionData data;
  private final AccountKeys keys;
  private final NodeSecret homeSecret;
  private final int parallelism;
  private volatile NodeInfo homeInfo;

  Session(Transport transport, SessionData data, AccountKeys keys, int parallelism) {
    this.transport = transport.withToken(data.token());
    this.data = data;
    this.keys = keys;
    this.parallelism = parallelism;
    try {
      this.homeSecret = keys.unwrapHome(data.homeWrappedKey(), data.homeId(), data.userId());
    } catch (CryptoException e) {
      throw new EdfsException(Reason.TAMPERED, "the home folder's key failed its integrity check", e);
    }
  }

  /** What to keep to resume this session later without the password. */
  public SessionData data() {
    return data;
  }

  public String username() {
    return data.username();
  }

  public UUID userId() {
    return data.userId();
  }

  /** Ends the session on the server (the token stops working). */
  public void logout() {
    transport.remove("POST", "/v1/logout", Reason.UNAUTHENTICATED);
  }

  // ---- reading the tree ----

  /** What is at {@code path}. */
  public Entry stat(String path) {
    RemotePath p = RemotePath.parse(path);
    if (p.owner().isEmpty() && p.isRoot()) {
      return entry(homeInfo = node(data.homeId()), "");
    }
    Node n = resolve(p);
    return entry(n);
  }

  /**
   * The entries of the folder at {@code path}, sorted by name; a file lists as itself. {@code
   * @alice} lists what alice shared with me.
   */
  public List<Entry> list(String path) {
    return list(path, true);
  }

  /**
   * As {@link #list(String)}; without {@code withMeta} the entries leave out {@link Entry#meta()}
   * (saving its decryption, for a listing of names).
   */
  public List<Entry> list(String path, boolean withMeta) {
    RemotePath p = RemotePath.parse(path);
    if (p.owner().isPresent() && p.isRoot()) {
      List<Entry> out = new ArrayList<>();
      for (OpenedGrant g : openedGrants()) {
        if (g.info().ownerName().equals(owner(p))) {
          out.add(entry(node(g.info().nodeId()), g.name()));
        }
      }
      out.sort(Comparator.comparing(Entry::name));
      return out;
    }
    Node dir = resolve(p);
    if (dir.info.kind() == NodeKind.F) {
      return List.of(entry(dir));
    }
    NodeList children = transport.get("/v1/nodes/" + dir.id() + "/children", NodeList.class);
    List<Entry> out = new ArrayList<>(children.entries().size());
    for (NodeInfo child : children.entries()) {
      // one damaged entry (anyone with WRITE access can plant one) must not hide the others
      Entry e;
      try {
        String name = decryptName(dir, child, p.toString());
        // the key is bound to the name: a name the server moved here from another node shows
        try (NodeSecret secret = dir.secret.unwrapChild(child.wrappedKey(), child.id(), dir.id(), child.encName())) {
          e = withMeta ? entry(child, name, secret) : entry(child, name);
        }
      } catch (EdfsException | CryptoException x) {
        e = entry(child, "<unreadable " + child.id() + ">");
      }
      out.add(e);
    }
    out.sort(Comparator.comparing(Entry::name));
    return out;
  }

  /** Writes the content of the file at {@code path} to {@code out} (which stays open). */
  public Entry read(String path, OutputStream out, Progress progress) {
    Node file = resolve(RemotePath.parse(path));
    requireFile(file, path);
    return read(file, path, out, progress);
  }

  private Entry read(Node file, String path, OutputStream out, Progress progress) {
    VersionInfo v = file.info.version();
    if (v == null) {
      progress.total(0);
      progress.done();
      return entry(file);
    }
    progress.total(ContentFormat.plaintextSize(v.size(), v.segmentSize()));
    String prefix = "/v1/nodes/" + file.id() + "/versions/" + v.id() + "/blocks/";
    try (var cipher = new BlockDownloadStream(transport, v.blocks(), i -> prefix + i, parallelism);
        InputStream plain = file.secret.decryptingStream(cipher, file.id(), v.id(), v.segmentSize())) {
      byte[] buf = new byte[256 * 1024];
      for (int n; (n = plain.read(buf)) != -1; ) {
        try {
          out.write(buf, 0, n);
        } catch (IOException e) {
          throw new EdfsException(Reason.IO, path + ": cannot write the content out: " + e.getMessage(), e);
        }
        progress.advance(n);
      }
    } catch (EdfsException e) {
      throw e;
    } catch (IOException e) {
      if (e.getCause() instanceof TamperedException) {
        throw new EdfsException(
            Reason.TAMPERED, path + ": content failed its integrity check (" + e.getMessage() + ")", e);
      }
      throw new EdfsException(Reason.IO, path + ": download failed: " + e.getMessage(), e);
    }
    progress.done();
    return entry(file);
  }

  // ---- changing the tree ----

  /** Creates a folder; with {@code parents}, also missing parents, and an existing folder is fine. */
  public Entry mkdir(String path, boolean parents) {
    RemotePath p = RemotePath.parse(path);
    if (p.isRoot()) {
      if (parents) {
        return stat(path);
      }
      throw new EdfsException(Reason.NAME_EXISTS, path + ": name exists");
    }
    Node parent = parents ? mkdirs(p.parent()) : resolve(p.parent());
    try {
      return entry(create(parent, p.name(), NodeKind.D, Optional.empty()).info, p.name());
    } catch (EdfsException e) {
      if (parents && e.reason() == Reason.NAME_EXISTS) {
        Node existing = child(parent, p.name(), p);
        if (existing.info.kind() == NodeKind.D) {
          return entry(existing.info, p.name());
        }
      }
      throw e;
    }
  }

  private Node mkdirs(RemotePath p) {
    Node cur = root(p);
    RemotePath at = new RemotePath(p.owner(), List.of());
    for (String name : p.components()) {
      at = at.child(name);
      if (p.owner().isPresent() && at.components().size() == 1) {
        continue; // the shared node itself, resolved by root()
      }
      Optional<Node> next = find(cur, name, at);
      if (next.isEmpty()) {
        try {
          next = Optional.of(create(cur, name, NodeKind.D, Optional.empty()));
        } catch (EdfsException e) {
          if (e.reason() != Reason.NAME_EXISTS) {
            throw e;
          }
          next = Optional.of(child(cur, name, at)); // created by someone else meanwhile
        }
      }
      cur = next.get();
      requireFolder(cur, at.toString());
    }
    return cur;
  }

  /**
   * Makes {@code content} the new content of the file at {@code path}, creating the file if
   * absent. Fails with {@link VersionConflictException} if someone else committed a version
   * since this call looked, never overwriting it silently.
   */
  public Entry write(String path, InputStream content, Progress progress) {
    return write(path, content, progress, Optional.empty(), false, Optional.empty());
  }

  /**
   * As {@link #write(String, InputStream, Progress)}, recording with the new version (encrypted)
   * the file's own modification time {@code modified} and its content's SHA-256, computed on the
   * way: what a copy of a local file keeps (see {@link Entry#meta()}).
   */
  public Entry write(String path, InputStream content, Progress progress, Instant modified) {
    return write(path, content, progress, Optional.empty(), false, Optional.of(modified));
  }

  /**
   * Creates the file at {@code path} with {@code content}; fails with {@link Reason#NAME_EXISTS}
   * if anything has that name, also when it appears while the content uploads (never a new
   * version of someone else's file).
   */
  public Entry writeNew(String path, InputStream content, Progress progress) {
    return write(path, content, progress, Optional.empty(), true, Optional.empty());
  }

  /**
   * Writes only if the file is still at the version {@code seen} (from {@link #stat} or an
   * earlier write): the way to read, change and write back without losing anyone's edit.
   * Throws {@link VersionConflictException} otherwise.
   */
  public Entry write(String path, InputStream content, Progress progress, Entry seen) {
    return write(path, content, progress, Optional.of(seen), false, Optional.empty());
  }

  private Entry write(
      String path, InputStream content, Progress progress, Optional<Entry> seen, boolean createOnly, Optional<Instant> modified) {
    RemotePath p = RemotePath.parse(path);
    if (p.isRoot()) {
      throw new EdfsException(Reason.NOT_A_FILE, path + ": is a folder");
    }
    // @alice/NAME names the shared node itself, whose parent I cannot see
    boolean sharedNode = p.owner().isPresent() && p.components().size() == 1;
    Node parent = sharedNode ? null : resolve(p.parent());
    if (parent != null) {
      requireFolder(parent, p.parent().toString());
    }
    return write(parent, p, content, progress, seen, createOnly, modified);
  }

  /** Writes the file {@code p} in {@code parent} (null: {@code p} names a node shared with me). */
  private Entry write(
      Node parent,
      RemotePath p,
      InputStream source,
      Progress progress,
      Optional<Entry> seen,
      boolean createOnly,
      Optional<Instant> modified) {
    String path = p.toString();
    boolean sharedNode = parent == null;
    // the plaintext's hash, for the version's metadata: computed as the content streams through
    Optional<ContentHash> digest = modified.map(m -> new ContentHash());
    InputStream content = digest.<InputStream>map(d -> new DigestInputStream(source, d.sha256)).orElse(source);
    byte[] head;
    try {
      head = content.readNBytes(SMALL_FILE_BYTES + 1);
    } catch (IOException e) {
      throw new EdfsException(Reason.IO, "cannot read the content to write: " + e.getMessage(), e);
    }
    boolean small = head.length <= SMALL_FILE_BYTES;
    if (small && seen.isEmpty() && parent != null && parent.info.access().canWrite()) {
      // optimistic: most small writes create a file, in one request; an existing name falls
      // through to a new version of it
      UUID id = UUID.randomUUID();
      try (NodeSecret secret = NodeSecret.random()) {
        CommitRequest commit = withMeta(sealSmall(secret, id, null, head), secret, id, modified, digest);
        Node created = create(parent, p.name(), NodeKind.F, Optional.of(commit), id, secret);
        smallDone(progress, head);
        return entry(created);
      } catch (EdfsException e) {
        // the name exists, or the folder is read-only but the file itself may be writable
        if (e.reason() != Reason.NAME_EXISTS && e.reason() != Reason.FORBIDDEN) {
          throw e;
        }
      }
    }
    Optional<Node> existing = sharedNode ? Optional.of(resolve(p)) : find(parent, p.name(), p);
    if (existing.isPresent() && createOnly) {
      throw new EdfsException(Reason.NAME_EXISTS, path + ": name exists");
    }
    if (existing.isPresent()) {
      Node file = existing.get();
      requireFile(file, path);
      UUID base = file.info.version() == null ? null : file.info.version().id();
      if (seen.isPresent()) {
        if (!seen.get().id().equals(file.id())) {
          throw new VersionConflictException(path + ": replaced by another file", Optional.ofNullable(base));
        }
        base = seen.get().versionId().orElse(null);
      }
      CommitRequest commit =
          withMeta(encrypt(file.secret, file.id(), base, head, content, progress), file.secret, file.id(), modified, digest);
      NodeInfo after = transport.json("POST", "/v1/nodes/" + file.id() + "/versions", commit, NodeInfo.class);
      if (small) {
        smallDone(progress, head);
      }
      return entry(after, p.name(), file.secret);
    }
    if (seen.isPresent()) {
      throw new VersionConflictException(path + ": deleted by someone else", Optional.empty());
    }
    UUID id = UUID.randomUUID();
    try (NodeSecret secret = NodeSecret.random()) {
      CommitRequest commit = withMeta(encrypt(secret, id, null, head, content, progress), secret, id, modified, digest);
      Entry e = entry(create(parent, p.name(), NodeKind.F, Optional.of(commit), id, secret));
      if (small) {
        smallDone(progress, head);
      }
      return e;
    }
  }

  /**
   * A version of {@code head} followed by the rest of {@code content}: inline in the commit
   * when {@code head} is all there is, else uploaded block by block (reporting progress).
   */
  private CommitRequest encrypt(
      NodeSecret secret, UUID fileId, UUID base, byte[] head, InputStream content, Progress progress) {
    return head.length <= SMALL_FILE_BYTES
        ? sealSmall(secret, fileId, base, head)
        : upload(secret, fileId, base, new SequenceInputStream(new ByteArrayInputStream(head), content), progress);
  }

  /**
   * {@code commit} with the version's metadata sealed to its file and version, when a
   * modification time is to be recorded ({@code digest} has then seen the whole content).
   */
  private static CommitRequest withMeta(
      CommitRequest commit, NodeSecret secret, UUID fileId, Optional<Instant> modified, Optional<ContentHash> digest) {
    if (modified.isEmpty()) {
      return commit;
    }
    FileMeta meta = new FileMeta(modified.get(), digest.map(ContentHash::hex));
    byte[] sealed = secret.sealMeta(meta.encode(), fileId, commit.versionId());
    return new CommitRequest(
        commit.versionId(), commit.baseVersionId(), commit.size(), commit.segmentSize(), commit.blocks(), commit.inline(), sealed);
  }

  /** The SHA-256 of a content that streams through it, finished once and then kept. */
  private static final class ContentHash {
    final MessageDigest sha256;
    private String hex;

    ContentHash() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 unavailable", e);
      }
    }

    /** The hash of everything seen so far; later updates are not expected. */
    String hex() {
      if (hex == null) {
        hex = HexFormat.of().formatHex(sha256.digest());
      }
      return hex;
    }
  }

  /** A small file's progress arrives in one piece, once its commit succeeded. */
  private static void smallDone(Progress progress, byte[] head) {
    progress.advance(head.length);
    progress.done();
  }

  /** Encrypts a small file's content into one block that travels inside the commit. */
  private static CommitRequest sealSmall(NodeSecret secret, UUID fileId, UUID base, byte[] plaintext) {
    UUID versionId = UUID.randomUUID();
    int segment = ContentFormat.DEFAULT_SEGMENT_SIZE;
    var cipher = new ByteArrayOutputStream((int) ContentFormat.ciphertextSize(plaintext.length, segment));
    try (OutputStream enc = secret.encryptingStream(cipher, fileId, versionId, segment)) {
      enc.write(plaintext);
    } catch (IOException e) {
      throw new EdfsException(Reason.IO, "encryption failed: " + e.getMessage(), e);
    }
    byte[] block = cipher.toByteArray();
    String hash = BlockUploadStream.sha256(block, block.length);
    return new CommitRequest(versionId, base, block.length, segment, List.of(new BlockRef(hash, block.length)), block);
  }

  private CommitRequest upload(
      NodeSecret secret, UUID fileId, UUID base, InputStream content, Progress progress) {
    UUID versionId = UUID.randomUUID();
    int segment = ContentFormat.DEFAULT_SEGMENT_SIZE;
    var blocks = new BlockUploadStream(transport, BLOCK_SIZE, parallelism);
    try {
      try (OutputStream enc = secret.encryptingStream(blocks, fileId, versionId, segment)) {
        byte[] buf = new byte[256 * 1024];
        long total = 0;
        for (int n; (n = content.read(buf)) != -1; ) {
          total += n;
          if (total > MAX_FILE_BYTES) {
            // fail before uploading what the commit could not list (one JSON body of block refs)
            throw new EdfsException(
                Reason.TOO_LARGE, "files of more than " + (MAX_FILE_BYTES >> 30) + " GiB are not supported yet");
          }
          enc.write(buf, 0, n);
          progress.advance(n);
        }
      }
      progress.done();
      List<BlockRef> refs = blocks.blocks();
      return new CommitRequest(versionId, base, blocks.size(), segment, refs);
    } catch (IOException e) {
      blocks.abort();
      throw new EdfsException(Reason.IO, "upload failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      blocks.abort();
      throw e;
    }
  }

  /**
   * Renames and/or moves {@code src} to {@code dst}. If {@code dst} is an existing folder, the
   * node moves into it keeping its name.
   */
  public Entry move(String src, String dst) {
    RemotePath from = RemotePath.parse(src);
    Node node = movable(from, src);
    RemotePath to = RemotePath.parse(dst);
    Optional<Node> target = to.isRoot() ? Optional.of(resolve(to)) : findPath(to);
    if (target.isPresent() && target.get().info.kind() == NodeKind.D) {
      return relocate(node, target.get(), node.name, from, to);
    } else if (target.isPresent()) {
      throw new EdfsException(Reason.NAME_EXISTS, dst + ": name exists");
    }
    Node newParent = resolve(to.parent());
    requireFolder(newParent, to.parent().toString());
    return relocate(node, newParent, to.name(), from, to);
  }

  /**
   * Gives the node at {@code path} the name {@code newName} in the same folder. Unlike {@link
   * #move}, a folder of that name is never entered: any existing entry is {@link
   * Reason#NAME_EXISTS}.
   */
  public Entry rename(String path, String newName) {
    RemotePath from = RemotePath.parse(path);
    Node node = movable(from, path);
    return relocate(node, resolve(from.parent()), newName, from, from.parent().child(newName));
  }

  /**
   * Moves the node at {@code src} into the folder at {@code folder}, keeping its name. Unlike
   * {@link #move}, a missing folder is {@link Reason#NOT_FOUND}, never a new name.
   */
  public Entry moveInto(String src, String folder) {
    RemotePath from = RemotePath.parse(src);
    Node node = movable(from, src);
    RemotePath into = RemotePath.parse(folder);
    Node target = resolve(into);
    requireFolder(target, folder);
    return relocate(node, target, node.name, from, into);
  }

  /** The node at {@code from}, if it may be moved (not a home folder, not a node shared with me). */
  private Node movable(RemotePath from, String text) {
    Node node = resolve(from);
    if (from.components().size() <= (from.owner().isPresent() ? 1 : 0)) {
      throw new EdfsException(Reason.FORBIDDEN, text + ": not allowed to move this node");
    }
    return node;
  }

  /**
   * Puts {@code node} into {@code newParent} as {@code newName}, in one request; {@code from}
   * and {@code to} are the paths the caller named, for the error of a move into itself.
   */
  private Entry relocate(Node node, Node newParent, String newName, RemotePath from, RemotePath to) {
    byte[] encName = encryptName(newParent, newName);
    byte[] wrapped = newParent.secret.wrapChild(node.secret, node.id(), newParent.id(), encName);
    List<Reseal> reseals = new ArrayList<>();
    // only the owner re-seals grants (with the new name); a WRITE grantee's rename leaves them
    if (node.info.access() == Access.OWNER && node.info.shared()) {
      for (GrantInfo g : grantsOf(node)) {
        byte[] pub = user(g.granteeName()).publicKeys();
        reseals.add(
            new Reseal(
                g.granteeId(),
                Sharing.seal(pub, node.secret, newName, node.id(), g.granteeId(), g.mode().name())));
      }
    }
    NodeInfo after;
    try {
      after =
          transport.json(
              "PATCH", "/v1/nodes/" + node.id(), new MoveRequest(newParent.id(), encName, wrapped, reseals), NodeInfo.class);
    } catch (EdfsException e) {
      if (e.reason() == Reason.INVALID_MOVE) {
        // the server can name the nodes only by id
        throw new EdfsException(Reason.INVALID_MOVE, "cannot move " + from + " into itself (" + to + ")", e);
      }
      throw e;
    }
    return entry(after, newName);
  }

  /** Deletes a file, an empty folder, or (with {@code recursive}) a folder and all below it. */
  public void delete(String path, boolean recursive) {
    Node node = resolve(RemotePath.parse(path));
    transport.remove("DELETE", "/v1/nodes/" + node.id() + (recursive ? "?recursive=true" : ""), Reason.NOT_FOUND);
  }

  // ---- folders resolved once, for transfers of whole trees ----

  /**
   * The folder at {@code path}, resolved once: operations on it and on its children walk no path
   * again, which is what copying a tree of thousands of files needs. With {@code create}, missing
   * folders on the way are created (as {@code mkdir -p}).
   */
  public Folder folder(String path, boolean create) {
    RemotePath p = RemotePath.parse(path);
    Node n = create && !p.isRoot() && !(p.owner().isPresent() && p.components().size() == 1) ? mkdirs(p) : resolve(p);
    requireFolder(n, path);
    return new Folder(n, p);
  }

  /**
   * A folder as {@link #folder} resolved it. Thread-safe: many threads may create, write and read
   * in one folder at once. Its key stays in memory until the session is closed.
   */
  public final class Folder {
    private final Node node;
    private final RemotePath path;

    private Folder(Node node, RemotePath path) {
      this.node = node;
      this.path = path;
    }

    /** Its path, as {@link RemotePath} prints it. */
    public String path() {
      return path.toString();
    }

    /** Its entry, as resolved. */
    public Entry entry() {
      return Session.entry(node);
    }

    /**
     * What it holds, sorted by name, in one request. An entry whose name or key fails its integrity
     * check is listed as {@link Child#readable() unreadable} rather than hiding the others.
     */
    public List<Child> list() {
      NodeList children = transport.get("/v1/nodes/" + node.id() + "/children", NodeList.class);
      List<Child> out = new ArrayList<>(children.entries().size());
      for (NodeInfo info : children.entries()) {
        try {
          String name = decryptName(node, info, path());
          NodeSecret secret = node.secret.unwrapChild(info.wrappedKey(), info.id(), node.id(), info.encName());
          out.add(new Child(Session.entry(info, name, secret), Optional.of(new Node(info, secret, name)), path.child(name)));
        } catch (EdfsException | CryptoException e) {
          String name = "<unreadable>";
          out.add(new Child(Session.entry(info, name), Optional.empty(), path));
        }
      }
      out.sort(Comparator.comparing(c -> c.entry().name()));
      return out;
    }

    /** The folder {@code name} in this one, created if it is missing (an existing folder is fine). */
    public Folder mkdir(String name) {
      RemotePath p = path.child(name);
      Optional<Node> existing = find(node, name, p);
      if (existing.isEmpty()) {
        try {
          existing = Optional.of(create(node, name, NodeKind.D, Optional.empty()));
        } catch (EdfsException e) {
          if (e.reason() != Reason.NAME_EXISTS) {
            throw e;
          }
          existing = Optional.of(child(node, name, p)); // created by someone else meanwhile
        }
      }
      requireFolder(existing.get(), p.toString());
      return new Folder(existing.get(), p);
    }

    /**
     * Creates the small files {@code files} in this folder in one request and one transaction:
     * all of them, or (on any failure, such as a name that exists) none. Each content is at most
     * {@link #SMALL_FILE_BYTES}; at most {@link CreateBatchRequest#MAX_NODES} files with at most
     * {@link CreateBatchRequest#MAX_INLINE_TOTAL} bytes of ciphertext in all. Returns their
     * entries in order.
     */
    public List<Entry> createAll(List<NewFile> files) {
      requireFolder(node, path());
      List<CreateNodeRequest> creates = new ArrayList<>(files.size());
      for (NewFile f : files) {
        if (f.content().length > SMALL_FILE_BYTES) {
          throw new IllegalArgumentException(f.name() + ": " + f.content().length + " bytes is not a small file");
        }
        UUID id = UUID.randomUUID();
        byte[] enc = encryptName(node, f.name());
        try (NodeSecret secret = NodeSecret.random()) {
          Optional<ContentHash> digest = f.modified().map(m -> new ContentHash());
          digest.ifPresent(d -> d.sha256.update(f.content()));
          CommitRequest version = withMeta(sealSmall(secret, id, null, f.content()), secret, id, f.modified(), digest);
          byte[] wrapped = node.secret.wrapChild(secret, id, node.id(), enc);
          creates.add(new CreateNodeRequest(id, node.id(), NodeKind.F, enc, wrapped, version));
        }
      }
      NodeList created = transport.json("POST", "/v1/batches/nodes", new CreateBatchRequest(creates), NodeList.class);
      if (created.entries().size() != files.size()) {
        throw new EdfsException(Reason.TAMPERED, path() + ": the server answered a batch of " + files.size() + " with " + created.entries().size());
      }
      List<Entry> out = new ArrayList<>(files.size());
      for (int i = 0; i < files.size(); i++) {
        NodeInfo info = created.entries().get(i);
        if (!info.id().equals(creates.get(i).id())) {
          throw new EdfsException(Reason.TAMPERED, path() + ": the server answered a batch with another node");
        }
        NewFile f = files.get(i);
        out.add(Session.entry(info, f.name(), Optional.empty()));
      }
      return out;
    }

    /** As {@link Session#write(String, InputStream, Progress)} of the file {@code name} in this folder. */
    public Entry write(String name, InputStream content, Progress progress) {
      requireFolder(node, path());
      return Session.this.write(node, path.child(name), content, progress, Optional.empty(), false, Optional.empty());
    }

    /** As {@link Session#write(String, InputStream, Progress, Instant)} of the file {@code name} in this folder. */
    public Entry write(String name, InputStream content, Progress progress, Instant modified) {
      requireFolder(node, path());
      return Session.this.write(node, path.child(name), content, progress, Optional.empty(), false, Optional.of(modified));
    }
  }

  /**
   * A small file for {@link Folder#createAll}: its name, whole content, and the modification time
   * to record with it (with its content's hash), if any.
   */
  public record NewFile(String name, byte[] content, Optional<Instant> modified) {}

  /** An entry of a {@link Folder}, with what reading or entering it needs. */
  public final class Child {
    private final Entry entry;
    private final Optional<Node> node;
    private final RemotePath path;

    private Child(Entry entry, Optional<Node> node, RemotePath path) {
      this.entry = entry;
      this.node = node;
      this.path = path;
    }

    public Entry entry() {
      return entry;
    }

    /** Whether its name and key passed their integrity checks; an unreadable child can only be listed. */
    public boolean readable() {
      return node.isPresent();
    }

    /** Its path. */
    public String path() {
      return path.toString();
    }

    /** The folder it is. */
    public Folder folder() {
      Node n = readableNode();
      requireFolder(n, path());
      return new Folder(n, path);
    }

    /** As {@link Session#read}: writes its content to {@code out}. */
    public Entry read(OutputStream out, Progress progress) {
      Node listed = readableNode();
      requireFile(listed, path());
      // a listing leaves out each version's blocks: ask for the file's current version
      Node n = new Node(node(listed.id()), listed.secret, listed.name);
      requireFile(n, path());
      return Session.this.read(n, path(), out, progress);
    }

    private Node readableNode() {
      return node.orElseThrow(
          () -> new EdfsException(Reason.TAMPERED, path + ": an entry's name or key failed its integrity check"));
    }
  }

  // ---- sharing ----

  /** Gives {@code user} READ or WRITE access to the node at {@code path} (mine). */
  public void share(String path, String user, Mode mode) {
    RemotePath p = RemotePath.parse(path);
    if (p.isRoot()) {
      throw new EdfsException(Reason.FORBIDDEN, "the home folder itself cannot be shared; share what is in it");
    }
    Node node = resolve(p);
    UserInfo grantee = user(user);
    byte[] sealed = Sharing.seal(grantee.publicKeys(), node.secret, node.name, node.id(), grantee.userId(), mode.name());
    transport.json(
        "PUT", "/v1/nodes/" + node.id() + "/grants/" + grantee.userId(), new GrantRequest(mode, sealed), GrantInfo.class);
  }

  /** Revokes {@code user}'s grant on the node at {@code path}. */
  public void unshare(String path, String user) {
    Node node = resolve(RemotePath.parse(path));
    UserInfo grantee = user(user);
    transport.call("DELETE", "/v1/nodes/" + node.id() + "/grants/" + grantee.userId(), null);
  }

  /** The grants I gave: on the node at {@code path}, or (empty) on all my nodes. */
  public List<Share> sharesGiven(Optional<String> path) {
    List<Share> out = new ArrayList<>();
    if (path.isPresent()) {
      RemotePath p = RemotePath.parse(path.get());
      Node node = resolve(p);
      for (GrantInfo g : grantsOf(node)) {
        out.add(share(p.toString(), g));
      }
    } else {
      GrantList all = transport.get("/v1/grants/given", GrantList.class);
      for (GrantInfo g : all.grants()) {
        out.add(share(pathOf(g.nodeId()), g));
      }
    }
    out.sort(Comparator.comparing(Share::path).thenComparing(Share::grantee));
    return out;
  }

  /** What others shared with me, as {@code @owner/name} paths. */
  public List<Share> sharedWithMe() {
    List<Share> out = new ArrayList<>();
    for (OpenedGrant o : openedGrants()) {
      GrantInfo g = o.info();
      out.add(new Share("@" + g.ownerName() + "/" + o.name(), g.kind(), g.ownerName(), g.granteeName(), g.mode(), g.createdAt()));
    }
    out.sort(Comparator.comparing(Share::path));
    return out;
  }

  // ---- resolution ----

  /** A node with its secret and plaintext name ("" for the home folder). */
  private record Node(NodeInfo info, NodeSecret secret, String name) {
    UUID id() {
      return info.id();
    }
  }

  private Node resolve(RemotePath p) {
    Node cur = root(p);
    RemotePath at = new RemotePath(p.owner(), List.of());
    List<String> names = p.components();
    for (int i = p.owner().isPresent() ? 1 : 0; i < names.size(); i++) {
      at = new RemotePath(p.owner(), names.subList(0, i + 1));
      requireFolder(cur, new RemotePath(p.owner(), names.subList(0, i)).toString());
      cur = child(cur, names.get(i), at);
    }
    return cur;
  }

  private Optional<Node> findPath(RemotePath p) {
    try {
      return Optional.of(resolve(p));
    } catch (EdfsException e) {
      if (e.reason() == Reason.NOT_FOUND && !p.isRoot()) {
        // only "the last name is missing" means absent; a missing parent is an error
        resolve(p.parent());
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The home folder, or the node an owner shared with me named by the first component. */
  private Node root(RemotePath p) {
    if (p.owner().isEmpty()) {
      return new Node(homeInfo(), homeSecret, "");
    }
    if (p.isRoot()) {
      throw new EdfsException(Reason.NOT_A_FILE, p + ": names a user, not a shared file or folder");
    }
    String owner = owner(p);
    String name = Normalizer.normalize(p.components().get(0), Normalizer.Form.NFC);
    for (GrantInfo g : received()) {
      if (g.ownerName().equals(owner)) {
        Optional<Sharing.Opened> opened = tryOpen(g);
        if (opened.isPresent() && opened.get().name().equals(name)) {
          try {
            return new Node(node(g.nodeId()), opened.get().secret(), name);
          } catch (RuntimeException e) {
            opened.get().close(); // wipe the secret we will not use
            throw e;
          }
        }
        opened.ifPresent(Sharing.Opened::close);
      }
    }
    throw new EdfsException(Reason.NOT_FOUND, "@" + owner + "/" + name + ": not found (nothing shared with you under that name)");
  }

  private Node child(Node parent, String name, RemotePath path) {
    return find(parent, name, path)
        .orElseThrow(() -> new EdfsException(Reason.NOT_FOUND, path + ": not found"));
  }

  private Optional<Node> find(Node parent, String name, RemotePath path) {
    byte[] enc = encryptName(parent, name);
    NodeInfo info;
    try {
      info =
          transport.get(
              "/v1/nodes/" + parent.id() + "/children?name=" + Base64.getUrlEncoder().withoutPadding().encodeToString(enc),
              NodeInfo.class);
    } catch (EdfsException e) {
      if (e.reason() == Reason.NOT_FOUND) {
        return Optional.empty();
      }
      throw withPath(e, path);
    }
    if (!parent.id().equals(info.parentId()) || !Arrays.equals(enc, info.encName())) {
      throw new EdfsException(Reason.TAMPERED, path + ": the server answered with another node");
    }
    try {
      NodeSecret secret = parent.secret.unwrapChild(info.wrappedKey(), info.id(), parent.id(), info.encName());
      return Optional.of(new Node(info, secret, name));
    } catch (CryptoException e) {
      throw new EdfsException(Reason.TAMPERED, path + ": key failed its integrity check", e);
    }
  }

  private Node create(Node parent, String name, NodeKind kind, Optional<CommitRequest> version) {
    UUID id = UUID.randomUUID();
    try (NodeSecret secret = NodeSecret.random()) {
      return create(parent, name, kind, version, id, secret);
    }
  }

  private Node create(
      Node parent, String name, NodeKind kind, Optional<CommitRequest> version, UUID id, NodeSecret secret) {
    byte[] enc = encryptName(parent, name);
    byte[] wrapped = parent.secret.wrapChild(secret, id, parent.id(), enc);
    NodeInfo info =
        transport.json(
            "POST", "/v1/nodes", new CreateNodeRequest(id, parent.id(), kind, enc, wrapped, version.orElse(null)), NodeInfo.class);
    return new Node(info, NodeSecret.fromBytes(secret.rawBytes()), name);
  }

  private static byte[] encryptName(Node parent, String name) {
    try {
      return parent.secret.encryptChildName(name, parent.id());
    } catch (InvalidNameException e) {
      throw new EdfsException(Reason.INVALID_NAME, "invalid name '" + name + "': " + e.getMessage(), e);
    }
  }

  private static String decryptName(Node dir, NodeInfo child, String dirPath) {
    try {
      return dir.secret.decryptChildName(child.encName(), dir.id());
    } catch (TamperedException e) {
      throw new EdfsException(Reason.TAMPERED, "a name in " + dirPath + " failed its integrity check", e);
    }
  }

  /**
   * The home folder's row, fetched once: resolving a path needs only its id and kind, which
   * never change ({@link #stat} of "/" asks afresh).
   */
  private NodeInfo homeInfo() {
    NodeInfo h = homeInfo;
    if (h == null) {
      h = homeInfo = node(data.homeId());
    }
    return h;
  }

  private NodeInfo node(UUID id) {
    NodeInfo info = transport.get("/v1/nodes/" + id, NodeInfo.class);
    if (!id.equals(info.id())) {
      throw new EdfsException(Reason.TAMPERED, "the server answered with another node than the one asked for");
    }
    return info;
  }

  private UserInfo user(String name) {
    try {
      return transport.get("/v1/users/" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8), UserInfo.class);
    } catch (EdfsException e) {
      if (e.reason() == Reason.NOT_FOUND || e.reason() == Reason.UNKNOWN_USER) {
        throw new EdfsException(Reason.UNKNOWN_USER, "unknown user '" + name + "'", e);
      }
      throw e;
    }
  }

  private List<GrantInfo> received() {
    return transport.get("/v1/grants/received", GrantList.class).grants();
  }

  private List<GrantInfo> grantsOf(Node node) {
    return transport.get("/v1/nodes/" + node.id() + "/grants", GrantList.class).grants();
  }

  /** A grant given to me, opened: its plaintext name (its secret is not kept). */
  private record OpenedGrant(GrantInfo info, String name) {}

  /**
   * The grants given to me that open. Anyone may share anything with anyone, so a grant that
   * does not open (junk, or tampered with) is skipped rather than hiding the others.
   */
  private List<OpenedGrant> openedGrants() {
    List<OpenedGrant> out = new ArrayList<>();
    for (GrantInfo g : received()) {
      tryOpen(g).ifPresent(o -> {
        try (o) {
          out.add(new OpenedGrant(g, o.name()));
        }
      });
    }
    return out;
  }

  private Optional<Sharing.Opened> tryOpen(GrantInfo g) {
    try {
      return Optional.of(keys.openGrant(g.sealedKey(), g.nodeId(), data.userId(), g.mode().name()));
    } catch (CryptoException e) {
      return Optional.empty();
    }
  }

  private static String owner(RemotePath p) {
    return p.owner().orElseThrow().toLowerCase(Locale.ROOT); // usernames are case-folded
  }

  /** The path of one of my nodes: walk up to the home folder, then decrypt names down. */
  private String pathOf(UUID id) {
    Deque<NodeInfo> chain = new ArrayDeque<>();
    NodeInfo cur = node(id);
    while (cur.parentId() != null) {
      if (chain.size() > MAX_DEPTH) {
        throw new EdfsException(Reason.TAMPERED, "a node you shared is not inside your home folder");
      }
      chain.push(cur);
      cur = node(cur.parentId());
    }
    Node at = new Node(cur, homeSecret, "");
    StringBuilder path = new StringBuilder();
    for (NodeInfo n : chain) {
      String name = decryptName(at, n, path.length() == 0 ? "/" : path.toString());
      path.append('/').append(name);
      at = new Node(n, at.secret.unwrapChild(n.wrappedKey(), n.id(), at.id(), n.encName()), name);
    }
    return path.length() == 0 ? "/" : path.toString();
  }

  private Share share(String path, GrantInfo g) {
    return new Share(path, g.kind(), g.ownerName(), g.granteeName(), g.mode(), g.createdAt());
  }

  private static Entry entry(Node n) {
    return entry(n.info, n.name, n.secret);
  }

  /** The entry of {@code n}, its version's metadata opened with the node's own {@code secret}. */
  private static Entry entry(NodeInfo n, String name, NodeSecret secret) {
    VersionInfo v = n.version();
    Optional<FileMeta> meta = Optional.empty();
    if (v != null && v.meta() != null) {
      try {
        meta = FileMeta.decode(secret.openMeta(v.meta(), n.id(), v.id()));
      } catch (CryptoException e) {
        // metadata that fails its check is left out: the server could as well have dropped it,
        // but it cannot make up a time or hash the writer did not record
      }
    }
    return entry(n, name, meta);
  }

  private static Entry entry(NodeInfo n, String name) {
    return entry(n, name, Optional.empty());
  }

  private static Entry entry(NodeInfo n, String name, Optional<FileMeta> meta) {
    VersionInfo v = n.version();
    long size = v == null ? 0 : ContentFormat.plaintextSize(v.size(), v.segmentSize());
    return new Entry(
        n.id(),
        name,
        n.kind(),
        size,
        n.createdAt(),
        n.modifiedAt(),
        v == null ? 0 : v.seq(),
        Optional.ofNullable(v).map(VersionInfo::id),
        n.access(),
        n.shared(),
        meta);
  }

  private static void requireFolder(Node n, String path) {
    if (n.info.kind() != NodeKind.D) {
      throw new EdfsException(Reason.NOT_A_FOLDER, path + ": not a folder");
    }
  }

  private static void requireFile(Node n, String path) {
    if (n.info.kind() != NodeKind.F) {
      throw new EdfsException(Reason.NOT_A_FILE, path + ": is a folder");
    }
  }

  private static EdfsException withPath(EdfsException e, RemotePath path) {
    return switch (e.reason()) {
      case FORBIDDEN -> new EdfsException(Reason.FORBIDDEN, path + ": not allowed", e);
      default -> e;
    };
  }

  /** Wipes the keys held in memory. */
  @Override
  public void close() {
    homeSecret.close();
    keys.close();
  }
}
