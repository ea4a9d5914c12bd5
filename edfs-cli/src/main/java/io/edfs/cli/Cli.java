package io.edfs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edfs.client.ClientOptions;
import io.edfs.client.EdfsClient;
import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.Session;
import io.edfs.client.SessionData;
import io.edfs.protocol.Json;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What every command shares: the environment, where client state lives ({@code EDFS_HOME}),
 * the saved session, and how to reach the server or the nodes of a cluster.
 */
final class Cli {
  static final URI DEFAULT_SERVER = URI.create("https://127.0.0.1:8443");

  final Map<String, String> env;
  final PrintStream out;
  final PrintStream err;
  /** The path or name the current command is about, for one-line error messages. */
  String subject = "";
  /** {@code -q}: no progress, no summary; errors still print. */
  boolean quiet;
  /** {@code -v}: a line per file a transfer moves. */
  boolean verbose;

  Cli(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  /** {@code EDFS_HOME}, else {@code $XDG_CONFIG_HOME/edfs}, else {@code ~/.config/edfs}. */
  Path home() {
    String h = env.get("EDFS_HOME");
    if (h != null && !h.isBlank()) {
      return Path.of(h);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "edfs");
    }
    return Path.of(System.getProperty("user.home"), ".config", "edfs");
  }

  Path sessionFile() {
    return home().resolve("session.json");
  }

  Optional<SessionData> savedSession() {
    Path f = sessionFile();
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      JsonNode saved = Json.mapper().readTree(f.toFile());
      if (saved instanceof ObjectNode o && !o.has("servers") && o.hasNonNull("server")) {
        // written before sessions kept a list: its one server
        o.putArray("servers").add(o.remove("server"));
      }
      return Optional.of(Json.mapper().treeToValue(saved, SessionData.class));
    } catch (IOException e) {
      throw new EdfsException(Reason.IO, "cannot read " + f + " (" + e.getMessage() + "); run 'edfs login USER'");
    }
  }

  /**
   * Creates {@code EDFS_HOME} readable by its user alone, and refuses one owned by somebody
   * else (who could swap the pinned certificates or read the session).
   */
  Path ensureHome() {
    Path h = home();
    try {
      if (!Files.isDirectory(h)) {
        Files.createDirectories(h);
        try {
          Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system
        }
      }
      // compare owners as the file system does (by uid): a file just made here is ours
      Path probe = Files.createTempFile(h, ".owner", ".tmp");
      try {
        if (!Files.getOwner(h).equals(Files.getOwner(probe))) {
          throw new EdfsException(
              Reason.FORBIDDEN, h + " belongs to " + Files.getOwner(h).getName() + ", not to you; refusing to keep keys there");
        }
      } finally {
        Files.deleteIfExists(probe);
      }
      try {
        var perms = Files.getPosixFilePermissions(h);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
          throw new EdfsException(Reason.FORBIDDEN, h + " is writable by others; make it private first (chmod 700 " + h + ")");
        }
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + h, e);
    }
  }

  void saveSession(SessionData data) {
    Path f = sessionFile();
    try {
      ensureHome();
      Path tmp = Files.createTempFile(home(), ".session", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      Files.write(tmp, Json.mapper().writeValueAsBytes(data));
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + f, e);
    }
  }

  void deleteSession() {
    try {
      Files.deleteIfExists(sessionFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + sessionFile(), e);
    }
  }

  /**
   * The servers to use: --server, else EDFS_SERVER (each a comma-separated list of URLs), else
   * those of the saved session, else the default.
   */
  List<URI> servers(Optional<String> flag) {
    Optional<String> chosen = flag.or(() -> Optional.ofNullable(env.get("EDFS_SERVER")).filter(s -> !s.isBlank()));
    if (chosen.isEmpty()) {
      return savedSession().map(SessionData::servers).orElse(List.of(DEFAULT_SERVER));
    }
    List<URI> servers = new ArrayList<>();
    for (String url : chosen.get().split(",", -1)) {
      URI u = httpsUrl(url.strip());
      if (servers.stream().anyMatch(s -> sameServer(s, u))) {
        throw new EdfsException(Reason.BAD_REQUEST, "server " + u + " is listed twice");
      }
      servers.add(u);
    }
    return servers;
  }

  private static URI httpsUrl(String url) {
    try {
      URI u = URI.create(url);
      if ("https".equals(u.getScheme()) && u.getHost() != null) {
        return u;
      }
    } catch (IllegalArgumentException e) {
      // not a URI at all: said below
    }
    throw new EdfsException(Reason.BAD_REQUEST, "invalid server URL '" + url + "': expected https://HOST:PORT");
  }

  /** A client of {@code servers}, with the failover budget of {@code EDFS_FAILOVER} if set. */
  EdfsClient client(List<URI> servers) {
    ClientOptions o = ClientOptions.of(servers, ensureHome().resolve("known_servers")).withNotices(n -> err.println("edfs: " + n));
    String failover = env.get("EDFS_FAILOVER");
    if (failover != null && !failover.isBlank()) {
      try {
        o = o.withFailover(Durations.parse(failover.strip(), "EDFS_FAILOVER"));
      } catch (IllegalArgumentException e) {
        throw new EdfsException(Reason.BAD_REQUEST, e.getMessage());
      }
    }
    return EdfsClient.open(o);
  }

  /**
   * The saved session, resumed; fails with a clear line when there is none, it expired, or
   * {@code servers} names one it did not log in with (its token is never sent anywhere else).
   */
  Session session(EdfsClient client, List<URI> servers) {
    SessionData data =
        savedSession()
            .orElseThrow(() -> new EdfsException(Reason.UNAUTHENTICATED, "not logged in: run 'edfs login USER' (or 'edfs signup USER')"));
    boolean known = servers.stream().allMatch(s -> data.servers().stream().anyMatch(mine -> sameServer(mine, s)));
    if (!known) {
      throw new EdfsException(
          Reason.UNAUTHENTICATED,
          "logged in to " + list(data.servers()) + ", not " + list(servers) + ": run 'edfs login USER --server " + list(servers) + "'");
    }
    if (data.expiresAt().isBefore(Instant.now())) {
      throw new EdfsException(Reason.UNAUTHENTICATED, "session expired: run 'edfs login " + data.username() + "'");
    }
    return client.resume(data);
  }

  /** Servers as the --server option takes them: URLs joined by commas. */
  static String list(List<URI> servers) {
    return servers.stream().map(URI::toString).collect(Collectors.joining(","));
  }

  static boolean sameServer(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() == -1 ? 443 : u.getPort();
  }

  /** EDFS_PASSWORD, else one line of stdin with --password-stdin, else a no-echo prompt. */
  char[] password(boolean fromStdin, boolean confirm) {
    String envPassword = env.get("EDFS_PASSWORD");
    if (envPassword != null) {
      return envPassword.toCharArray();
    }
    if (fromStdin) {
      try {
        var reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = reader.readLine();
        if (line == null || line.isEmpty()) {
          throw new EdfsException(Reason.BAD_REQUEST, "no password on standard input");
        }
        return line.toCharArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Console console = System.console();
    if (console == null) {
      throw new EdfsException(Reason.BAD_REQUEST, "no terminal to ask for the password: set EDFS_PASSWORD or use --password-stdin");
    }
    char[] pw = console.readPassword("Password: ");
    if (pw == null || pw.length == 0) {
      throw new EdfsException(Reason.BAD_REQUEST, "empty password");
    }
    if (confirm) {
      char[] again = console.readPassword("Password (again): ");
      if (again == null || !java.util.Arrays.equals(pw, again)) {
        throw new EdfsException(Reason.BAD_REQUEST, "passwords do not match");
      }
    }
    return pw;
  }

  /** Whether stderr is an interactive terminal (progress bars only there). */
  static boolean interactive() {
    Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      // Console.isTerminal() exists from Java 22; before that a non-null console is a terminal
      return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
