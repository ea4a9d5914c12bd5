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
import java.io.ByteArrayOutputStream;
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
import java.util.function.Supplier;
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
  private volatile Session session;

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
    Session s;
    synchronized (accountLock) {
      s = session;
      session = null;
    }
    if (s == null) {
      return;
    }
    Thread logout =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    s.logout();
                  } catch (EdfsException e) {
                    // expired or unreachable: nothing more to do
                  } finally {
                    s.close();
                  }
                });
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
        h.sendJson(200, on(path, () -> json(session().stat(path), normal(path))));
      }
      case "GET /api/shared" -> h.sendJson(200, Map.of("owners", shared()));
      case "POST /api/mkdir" -> {
        String path = Http.text(h.json(), "path");
        h.sendJson(200, on(path, () -> json(session().mkdir(path, false), normal(path))));
      }
      case "POST /api/move" -> {
        JsonNode b = h.json();
        h.sendJson(200, move(Http.text(b, "from"), Http.text(b, "to")));
      }
      case "POST /api/delete" -> {
        JsonNode b = h.json();
        String path = Http.text(b, "path");
        on(path, () -> {
          session().delete(path, b.path("recursive").asBoolean(false));
          return null;
        });
        h.sendJson(200, Map.of());
      }
      case "PUT /api/upload" -> h.sendJson(200, upload(h.requiredParam("path"), h.param("replace").orElse("false").equals("true"), h.body()));
      case "POST /api/download" -> h.sendJson(200, Map.of("url", "/download/" + downloadTicket(Http.text(h.json(), "path"))));
      case "GET /api/text" -> h.sendJson(200, readText(h.requiredParam("path")));
      case "PUT /api/text" -> h.sendJson(200, saveText(h.requiredParam("path"), h.param("base"), h.body()));
      case "GET /api/grants" -> {
        String path = h.requiredParam("path");
        h.sendJson(200, on(path, () -> grants(path)));
      }
      case "POST /api/share", "POST /api/unshare" -> h.sendJson(200, share(h.json(), call.endsWith("/share")));
      default -> throw new UiError(404, "NOT_FOUND", "no such call: " + h.method() + " " + h.path());
    }
  }

  /** Streams the file a download ticket names, as an attachment under its own name. */
  void download(Http h, String ticket) throws IOException {
    Optional<String> path = gate.redeem(ticket, clock.instant());
    if (path.isEmpty()) {
      h.sendBytes(
          404,
          "text/plain; charset=utf-8",
          "This download link has expired or was used. Download the file again from the edfs page.\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    String p = path.get();
    Entry e = on(p, () -> session().stat(p));
    if (e.isFolder()) {
      throw UiError.of(new EdfsException(Reason.NOT_A_FILE, p), e.name());
    }
    var headers = h.response.getHeaders();
    h.response.setStatus(200);
    headers.put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    headers.put(HttpHeader.CONTENT_DISPOSITION, attachment(e.name()));
    headers.put(HttpHeader.CONTENT_LENGTH, e.size());
    headers.put(HttpHeader.CACHE_CONTROL, "no-store");
    try (var out = h.out()) {
      on(p, () -> session().read(p, out, Progress.NONE));
    }
  }

  // ---- the calls ----

  private Me me() {
    Session s = session;
    return new Me(s != null, s == null ? null : s.username(), servers.stream().map(URI::toString).toList());
  }

  private Me logIn(JsonNode body, boolean signup) {
    String user = Http.text(body, "username");
    char[] password = Http.text(body, "password").toCharArray();
    try {
      synchronized (accountLock) {
        Session fresh;
        try {
          fresh = signup ? client.signup(user, password) : client.login(user, password);
        } catch (EdfsException e) {
          throw UiError.of(e, user);
        }
        Session old = session;
        session = fresh;
        if (old != null) {
          old.close();
        }
      }
    } finally {
      Arrays.fill(password, '\0');
    }
    return me();
  }

  private Me logOut() {
    synchronized (accountLock) {
      Session s = session;
      session = null;
      if (s != null) {
        try {
          s.logout();
        } catch (EdfsException e) {
          // already ended on the server, or the server is away: it is forgotten here all the same
          LOG.warn("logging out on the server failed ({}); the session is forgotten here", e.reason());
        } finally {
          s.close();
        }
      }
    }
    return me();
  }

  private Listing list(String path) {
    return on(path, () -> {
      Session s = session();
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
    for (Share sh : on("", () -> session().sharedWithMe())) {
      String name = sh.path().substring(sh.path().indexOf('/') + 1);
      byOwner
          .computeIfAbsent(sh.owner(), o -> new ArrayList<>())
          .add(new SharedItem(name, sh.path(), sh.kind() == io.edfs.protocol.NodeKind.D, mode(sh.mode()), sh.createdAt().toString()));
    }
    List<Owner> out = new ArrayList<>();
    byOwner.forEach((owner, items) -> out.add(new Owner(owner, items)));
    return out;
  }

  private EntryJson move(String from, String to) {
    boolean into = false;
    try {
      Session s = session();
      // into an existing folder (keeping the name), else to the new name
      into = find(s, to).map(Entry::isFolder).orElse(false);
      Entry moved = s.move(from, to);
      return json(moved, into ? child(normal(to), moved.name()) : normal(to));
    } catch (EdfsException e) {
      throw failed(e, e.reason() == Reason.NAME_EXISTS && !into ? name(to) : name(from));
    }
  }

  private EntryJson upload(String path, boolean replace, InputStream body) {
    return on(path, () -> {
      Session s = session();
      if (!replace && exists(s, path)) {
        throw new EdfsException(Reason.NAME_EXISTS, path);
      }
      return json(s.write(path, body, Progress.NONE), normal(path));
    });
  }

  private String downloadTicket(String path) {
    Entry e = on(path, () -> session().stat(path));
    if (e.isFolder()) {
      throw failed(new EdfsException(Reason.NOT_A_FILE, path), name(path));
    }
    return gate.ticket(normal(path), clock.instant());
  }

  private Map<String, Object> readText(String path) {
    return on(path, () -> {
      Session s = session();
      Entry e = s.stat(path);
      if (e.isFolder()) {
        throw new EdfsException(Reason.NOT_A_FILE, path);
      }
      if (e.size() > MAX_TEXT) {
        throw new UiError(413, "TOO_LARGE", "\u201c" + e.name() + "\u201d is larger than 1 MiB, too large to edit here. Download it instead.");
      }
      var buf = new ByteArrayOutputStream((int) e.size());
      Entry read = s.read(path, buf, Progress.NONE);
      if (buf.size() > MAX_TEXT) {
        throw new UiError(413, "TOO_LARGE", "\u201c" + e.name() + "\u201d is larger than 1 MiB, too large to edit here. Download it instead.");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("entry", json(read, normal(path)));
      out.put("text", utf8(buf.toByteArray(), read.name()));
      return out;
    });
  }

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
    return on(path, () -> {
      Session s = session();
      Optional<Entry> current = find(s, path);
      Optional<String> now = current.flatMap(Entry::versionId).map(Object::toString);
      if (current.isPresent() && !now.equals(base.filter(b -> !b.isEmpty()))) {
        throw new VersionConflictException(path + ": changed since it was opened", current.get().versionId());
      }
      if (current.isEmpty() && base.isPresent()) {
        throw new VersionConflictException(path + ": deleted by someone else", Optional.empty());
      }
      Entry saved =
          current.isPresent()
              ? s.write(path, new ByteArrayInputStream(text), Progress.NONE, current.get())
              : s.write(path, new ByteArrayInputStream(text), Progress.NONE);
      return json(saved, normal(path));
    });
  }

  private Map<String, Object> share(JsonNode body, boolean grant) {
    String path = Http.text(body, "path");
    String user = Http.text(body, "user");
    try {
      Session s = session();
      if (grant) {
        s.share(path, user, switch (Http.text(body, "mode")) {
          case "READ" -> Mode.R;
          case "WRITE" -> Mode.W;
          default -> throw UiError.badRequest("mode must be READ or WRITE");
        });
      } else {
        s.unshare(path, user);
      }
      return grants(path);
    } catch (EdfsException e) {
      throw failed(e, e.reason() == Reason.UNKNOWN_USER ? user : name(path));
    }
  }

  private Map<String, Object> grants(String path) {
    List<Grant> out = new ArrayList<>();
    for (Share g : session().sharesGiven(Optional.of(path))) {
      out.add(new Grant(g.grantee(), mode(g.mode()), g.createdAt().toString()));
    }
    return Map.of("grants", out);
  }

  // ---- helpers ----

  private Session session() {
    Session s = session;
    if (s == null) {
      throw UiError.of(new EdfsException(Reason.UNAUTHENTICATED, "not logged in"), "");
    }
    return s;
  }

  /** Runs an SDK call about {@code path}, turning its failure into what the page shows. */
  private <T> T on(String path, Supplier<T> call) {
    try {
      return call.get();
    } catch (EdfsException e) {
      throw failed(e, name(path));
    }
  }

  private UiError failed(EdfsException e, String subject) {
    if (e.reason() == Reason.UNAUTHENTICATED) {
      // the session expired or was revoked: forget it, the page shows the login
      synchronized (accountLock) {
        Session s = session;
        session = null;
        if (s != null) {
          s.close();
        }
      }
    }
    return UiError.of(e, subject);
  }

  private static boolean exists(Session s, String path) {
    return find(s, path).isPresent();
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
