package io.edfs.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.edfs.client.EdfsClient;
import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.Entry;
import io.edfs.client.Progress;
import io.edfs.client.RemotePath;
import io.edfs.client.Session;
import io.edfs.client.Share;
import io.edfs.client.VersionConflictException;
import io.edfs.protocol.Mode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API the page calls, one method per call, on top of the SDK's path-based {@link
 * Session}. The page never sees a key or a ciphertext: all crypto happens in this process. The
 * login lives in memory only (never in {@code EDFS_HOME}): it ends with the process.
 */
final class UiApi {
  private static final Logger LOG = LoggerFactory.getLogger(UiApi.class);

  /** Largest file the page opens as text. */
  static final int MAX_TEXT = 1 << 20;

  /** Largest text the editor may save (a paste can make a file grow past what it opened). */
  static final int MAX_SAVE = 16 << 20;

  record EntryJson(
      String name, String path, boolean folder, long size, String modified, long version, String versionId, String access, boolean shared) {}

  record Me(boolean loggedIn, String username, List<String> servers) {}

  record Listing(String path, EntryJson entry, List<EntryJson> entries) {}

  record SharedItem(String name, String path, boolean folder, String mode, String sharedAt) {}

  record Owner(String owner, List<SharedItem> items) {}

  record Grant(String user, String mode, String sharedAt) {}

  private final EdfsClient client;
  private final List<URI> servers;
  private final Gate gate;
  private final Clock clock;
  private final Object accountLock = new Object();

  /** The page's login; null when logged out. Guarded by {@link #accountLock}. */
  private Login current;

  /**
   * A logged-in session and the requests using it. A session that is replaced or ends is
   * retired: it is closed (its keys wiped) when its last request is done, so a logout never
   * pulls the keys from under a running download, and a request that started on it never
   * continues on the next user's session.
   */
  private static final class Login {
    final Session session;
    int users;
    boolean retired;

    Login(Session session) {
      this.session = session;
    }
  }

  UiApi(EdfsClient client, List<URI> servers, Gate gate, Clock clock) {
    this.client = client;
    this.servers = List.copyOf(servers);
    this.gate = gate;
    this.clock = clock;
  }

  /**
   * Ends the session on the server, waiting at most {@code patience} (a server that is away
   * must not hold up a stop; its token then simply expires, known to nobody).
   */
  void close(Duration patience) {
    Login l = takeCurrent();
    if (l == null) {
      return;
    }
    Thread logout = Thread.ofVirtual().start(() -> endOnServer(l));
    try {
      logout.join(patience);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Answers one {@code /api/...} call (the caller checked origin and key). */
  void handle(Http h) throws IOException {
    String call = h.method() + " " + h.path();
    switch (call) {
      case "GET /api/me" -> h.sendJson(200, me());
      case "POST /api/signup", "POST /api/login" -> h.sendJson(200, logIn(h.json(), call.endsWith("signup")));
      case "POST /api/logout" -> h.sendJson(200, logOut());
      case "GET /api/list" -> h.sendJson(200, list(h.requiredParam("path")));
      case "GET /api/stat" -> {
        String path = h.requiredParam("path");
        h.sendJson(200, on(name(path), s -> json(s.stat(path), normal(path))));
      }
      case "GET /api/shared" -> h.sendJson(200, Map.of("owners", shared()));
      case "POST /api/mkdir" -> {
        String path = Http.text(h.json(), "path");
        h.sendJson(200, on(name(path), s -> json(s.mkdir(path, false), normal(path))));
      }
      case "POST /api/rename" -> {
        JsonNode b = h.json();
        h.sendJson(200, rename(Http.text(b, "path"), Http.text(b, "name")));
      }
      case "POST /api/move" -> {
        JsonNode b = h.json();
        h.sendJson(200, moveInto(Http.text(b, "from"), Http.text(b, "to")));
      }
      case "POST /api/delete" -> {
        JsonNode b = h.json();
        String path = Http.text(b, "path");
        on(name(path), s -> {
          s.delete(path, b.path("recursive").asBoolean(false));
          return null;
        });
        h.sendJson(200, Map.of());
      }
      case "PUT /api/upload" -> {
        String path = h.requiredParam("path");
        boolean replace = h.param("replace").orElse("false").equals("true");
        h.sendJson(200, on(name(path), s -> json(replace ? s.write(path, h.body(), Progress.NONE) : s.writeNew(path, h.body(), Progress.NONE), normal(path))));
      }
      case "POST /api/download" -> h.sendJson(200, Map.of("url", "/download/" + downloadTicket(Http.text(h.json(), "path"))));
      case "GET /api/text" -> h.sendJson(200, readText(h.requiredParam("path")));
      case "PUT /api/text" -> h.sendJson(200, saveText(h.requiredParam("path"), h.param("base").filter(b -> !b.isEmpty()), h.body()));
      case "GET /api/grants" -> {
        String path = h.requiredParam("path");
        h.sendJson(200, on(name(path), s -> grants(s, path)));
      }
      case "POST /api/share", "POST /api/unshare" -> h.sendJson(200, share(h.json(), call.endsWith("/share")));
      default -> throw new UiError(404, "NOT_FOUND", "no such call: " + h.method() + " " + h.path());
    }
  }

  /**
   * Streams the file a download ticket names, as an attachment under its own name. A failure
   * before the first byte is answered as a short text (the browser shows it as a failed
   * download, never saves it as the file); one after it aborts the connection.
   */
  void download(Http h, String ticket) throws IOException {
    Optional<String> path = gate.redeem(ticket, clock.instant());
    if (path.isEmpty()) {
      plain(h, 404, "This download link has expired or was used. Download the file again from the edfs page.");
      return;
    }
    String p = path.get();
    try {
      on(name(p), s -> {
        Entry e = s.stat(p);
        if (e.isFolder()) {
          throw new EdfsException(Reason.NOT_A_FILE, p);
        }
        var headers = h.response.getHeaders();
        h.response.setStatus(200);
        headers.put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        headers.put(HttpHeader.CONTENT_DISPOSITION, attachment(e.name()));
        headers.put(HttpHeader.CONTENT_LENGTH, e.size());
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        var out = h.out();
        // closed only after a whole read: closing completes the response, which a failure must not
        Entry read = s.read(p, out, Progress.NONE);
        try {
          out.close();
        } catch (IOException x) {
          throw new EdfsException(Reason.IO, "download aborted", x);
        }
        return read;
      });
    } catch (UiError e) {
      if (h.response.isCommitted()) {
        throw e;
      }
      h.response.reset();
      plain(h, e.status, e.getMessage());
    }
  }

  private static void plain(Http h, int status, String message) throws IOException {
    h.response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    h.sendBytes(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  // ---- the calls ----

  private Me me() {
    synchronized (accountLock) {
      Session s = current == null ? null : current.session;
      return new Me(s != null, s == null ? null : s.username(), servers.stream().map(URI::toString).toList());
    }
  }

  private Me logIn(JsonNode body, boolean signup) {
    String user = Http.text(body, "username");
    char[] password = Http.text(body, "password").toCharArray();
    Session fresh;
    try {
      fresh = signup ? client.signup(user, password) : client.login(user, password);
    } catch (EdfsException e) {
      if (e.reason() == Reason.INVALID_NAME || e.reason() == Reason.BAD_REQUEST) {
        throw new UiError(400, e.reason().name(), "\u201c" + user + "\u201d cannot be used: " + e.getMessage());
      }
      throw UiError.of(e, user);
    } finally {
      Arrays.fill(password, '\0');
    }
    Login old;
    synchronized (accountLock) {
      old = current;
      current = new Login(fresh);
      if (old != null) {
        old.users++;
        retire(old);
      }
    }
    if (old != null) {
      // the login it replaces (another tab's) ends on the server too
      Thread.ofVirtual().start(() -> endOnServer(old));
    }
    return me();
  }

  private Me logOut() {
    Login l = takeCurrent();
    if (l != null) {
      endOnServer(l);
    }
    return me();
  }

  /** Detaches the current login (held for the caller) so no new request starts on it. */
  private Login takeCurrent() {
    synchronized (accountLock) {
      Login l = current;
      current = null;
      if (l != null) {
        l.users++;
        retire(l);
      }
      return l;
    }
  }

  /** Revokes a detached login's token on the server, then lets it close. */
  private void endOnServer(Login l) {
    try {
      l.session.logout();
    } catch (EdfsException e) {
      // already ended on the server, or the server is away: it is forgotten here all the same
      LOG.warn("logging out on the server failed ({}); the session is forgotten here", e.reason());
    } finally {
      release(l);
    }
  }

  private Listing list(String path) {
    return on(name(path), s -> {
      String at = normal(path);
      Entry dir = s.stat(path);
      if (!dir.isFolder()) {
        throw new EdfsException(Reason.NOT_A_FOLDER, path);
      }
      List<EntryJson> out = new ArrayList<>();
      for (Entry e : s.list(path)) {
        out.add(json(e, child(at, e.name())));
      }
      return new Listing(at, json(dir, at), out);
    });
  }

  private List<Owner> shared() {
    Map<String, List<SharedItem>> byOwner = new TreeMap<>();
    for (Share sh : on("", Session::sharedWithMe)) {
      String name = sh.path().substring(sh.path().indexOf('/') + 1);
      byOwner
          .computeIfAbsent(sh.owner(), o -> new ArrayList<>())
          .add(new SharedItem(name, sh.path(), sh.kind() == io.edfs.protocol.NodeKind.D, mode(sh.mode()), sh.createdAt().toString()));
    }
    List<Owner> out = new ArrayList<>();
    byOwner.forEach((owner, items) -> {
      items.sort(java.util.Comparator.comparing(SharedItem::name));
      out.add(new Owner(owner, items));
    });
    return out;
  }

  private EntryJson rename(String path, String newName) {
    RemotePath from = RemotePath.parse(path);
    if (from.isRoot()) {
      throw new UiError(403, "FORBIDDEN", "The home folder cannot be renamed.");
    }
    // NAME_EXISTS is about the new name; anything else about the node being renamed
    Entry renamed =
        on(e -> e.reason() == Reason.NAME_EXISTS || e.reason() == Reason.INVALID_NAME ? newName : from.name(), s -> s.rename(path, newName));
    return json(renamed, child(normal(from.parent().toString()), renamed.name()));
  }

  private EntryJson moveInto(String from, String folder) {
    Entry moved = on(name(from), s -> s.moveInto(from, folder));
    return json(moved, child(normal(folder), moved.name()));
  }

  private String downloadTicket(String path) {
    Entry e = on(name(path), s -> s.stat(path));
    if (e.isFolder()) {
      throw UiError.of(new EdfsException(Reason.NOT_A_FILE, path), e.name());
    }
    return gate.ticket(normal(path), clock.instant());
  }

  private Map<String, Object> readText(String path) {
    return on(name(path), s -> {
      Entry e = s.stat(path);
      if (e.isFolder()) {
        throw new EdfsException(Reason.NOT_A_FILE, path);
      }
      if (e.size() > MAX_TEXT) {
        throw tooLargeToEdit(e.name());
      }
      var buf = new BoundedBuffer(MAX_TEXT, () -> tooLargeToEdit(e.name()));
      Entry read = s.read(path, buf, Progress.NONE);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("entry", json(read, normal(path)));
      out.put("text", utf8(buf.toByteArray(), read.name()));
      return out;
    });
  }

  private static UiError tooLargeToEdit(String name) {
    return new UiError(413, "TOO_LARGE", "\u201c" + name + "\u201d is larger than 1 MiB, too large to edit here. Download it instead.");
  }

  /**
   * Saves the editor's text. With {@code base} (the version the editor opened) only over that
   * version; without it only as a new file: never over a version the user was not shown.
   */
  private EntryJson saveText(String path, Optional<String> base, InputStream body) {
    byte[] text;
    try {
      text = body.readNBytes(MAX_SAVE + 1);
    } catch (IOException e) {
      throw new UiError(400, "IO", "The text did not arrive whole: " + e.getMessage());
    }
    if (text.length > MAX_SAVE) {
      throw new UiError(413, "TOO_LARGE", "\u201c" + name(path) + "\u201d is larger than 16 MiB, too large to save from the editor.");
    }
    return on(name(path), s -> {
      Optional<Entry> current = find(s, path);
      if (current.isPresent() && current.get().isFolder()) {
        throw new EdfsException(Reason.NOT_A_FILE, path);
      }
      if (base.isEmpty()) {
        if (current.isPresent() && current.get().versionId().isPresent()) {
          throw new VersionConflictException(path + ": written by someone else", current.get().versionId());
        }
        Entry saved =
            current.isPresent()
                ? s.write(path, new ByteArrayInputStream(text), Progress.NONE, current.get())
                : s.writeNew(path, new ByteArrayInputStream(text), Progress.NONE);
        return json(saved, normal(path));
      }
      if (current.isEmpty()) {
        throw new VersionConflictException(path + ": deleted by someone else", Optional.empty());
      }
      if (!current.get().versionId().map(Object::toString).equals(base)) {
        throw new VersionConflictException(path + ": changed since it was opened", current.get().versionId());
      }
      return json(s.write(path, new ByteArrayInputStream(text), Progress.NONE, current.get()), normal(path));
    });
  }

  private Map<String, Object> share(JsonNode body, boolean grant) {
    String path = Http.text(body, "path");
    String user = Http.text(body, "user");
    Mode mode =
        !grant
            ? null
            : switch (Http.text(body, "mode")) {
              case "READ" -> Mode.R;
              case "WRITE" -> Mode.W;
              default -> throw UiError.badRequest("mode must be READ or WRITE");
            };
    try {
      return on(
          e -> e.reason() == Reason.UNKNOWN_USER ? user : name(path),
          s -> {
            if (grant) {
              s.share(path, user, mode);
            } else {
              s.unshare(path, user);
            }
            return grants(s, path);
          });
    } catch (UiError e) {
      if (!grant && e.reason.equals("NOT_FOUND")) {
        throw new UiError(404, "NOT_FOUND", "\u201c" + name(path) + "\u201d is not shared with \u201c" + user + "\u201d (any more), or is gone.");
      }
      throw e;
    }
  }

  private static Map<String, Object> grants(Session s, String path) {
    List<Grant> out = new ArrayList<>();
    for (Share g : s.sharesGiven(Optional.of(path))) {
      out.add(new Grant(g.grantee(), mode(g.mode()), g.createdAt().toString()));
    }
    return Map.of("grants", out);
  }

  // ---- helpers ----

  /**
   * Runs an SDK call on the current session (held for the call's length), turning its failure
   * into what the page shows; {@code subject} is the name the message quotes.
   */
  private <T> T on(String subject, Function<Session, T> call) {
    return on(e -> subject, call);
  }

  /** As {@link #on(String, Function)}, the quoted name chosen by the failure. */
  private <T> T on(Function<EdfsException, String> subject, Function<Session, T> call) {
    Login l;
    synchronized (accountLock) {
      l = current;
      if (l == null) {
        throw UiError.of(new EdfsException(Reason.UNAUTHENTICATED, "not logged in"), "");
      }
      l.users++;
    }
    try {
      return call.apply(l.session);
    } catch (EdfsException e) {
      if (e.reason() == Reason.UNAUTHENTICATED) {
        // this session expired or was revoked: the page shows the login (a newer login stays)
        synchronized (accountLock) {
          if (current == l) {
            current = null;
          }
          retire(l);
        }
      }
      throw UiError.of(e, subject.apply(e));
    } finally {
      release(l);
    }
  }

  /** Marks a login as ended; closes it now if no request uses it. Call with the lock held. */
  private static void retire(Login l) {
    if (!l.retired) {
      l.retired = true;
      if (l.users == 0) {
        l.session.close();
      }
    }
  }

  private void release(Login l) {
    synchronized (accountLock) {
      l.users--;
      if (l.retired && l.users == 0) {
        l.session.close();
      }
    }
  }

  private static Optional<Entry> find(Session s, String path) {
    try {
      return Optional.of(s.stat(path));
    } catch (EdfsException e) {
      if (e.reason() == Reason.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static String utf8(byte[] bytes, String name) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new UiError(415, "NOT_TEXT", "\u201c" + name + "\u201d is not a text file. Download it to open it.");
    }
  }

  static EntryJson json(Entry e, String path) {
    return new EntryJson(
        e.name(),
        path,
        e.isFolder(),
        e.size(),
        e.modifiedAt().toString(),
        e.version(),
        e.versionId().map(Object::toString).orElse(null),
        e.access().name(),
        e.shared());
  }

  private static String mode(Mode m) {
    return m == Mode.W ? "WRITE" : "READ";
  }

  /** {@code /a/b} or {@code @alice/NAME/x}, as the SDK prints it. */
  static String normal(String path) {
    return RemotePath.parse(path).toString();
  }

  static String child(String parent, String name) {
    return parent.endsWith("/") ? parent + name : parent + "/" + name;
  }

  static String name(String path) {
    try {
      String n = RemotePath.parse(path).name();
      return n.isEmpty() ? Objects.toString(path, "") : n;
    } catch (EdfsException e) {
      return path;
    }
  }

  /** {@code attachment} with the name for every browser: an ASCII fallback and RFC 5987's UTF-8 form. */
  static String attachment(String name) {
    StringBuilder ascii = new StringBuilder();
    for (char c : name.toCharArray()) {
      ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
    }
    String utf8 = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + utf8;
  }
}
