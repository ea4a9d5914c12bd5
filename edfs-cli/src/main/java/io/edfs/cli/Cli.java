package io.edfs.cli;

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
import java.util.Map;
import java.util.Optional;

/**
 * What every command shares: the environment, where client state lives ({@code EDFS_HOME}),
 * the saved session, and how to reach the server.
 */
final class Cli {
  static final URI DEFAULT_SERVER = URI.create("https://127.0.0.1:8443");

  final Map<String, String> env;
  final PrintStream out;
  final PrintStream err;
  /** The path or name the current command is about, for one-line error messages. */
  String subject = "";

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
      return Optional.of(Json.mapper().readValue(f.toFile(), SessionData.class));
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

  /** --server, else EDFS_SERVER, else the saved session's server, else the default. */
  URI server(Optional<String> flag) {
    Optional<String> chosen = flag.or(() -> Optional.ofNullable(env.get("EDFS_SERVER")).filter(s -> !s.isBlank()));
    if (chosen.isPresent()) {
      try {
        URI u = URI.create(chosen.get().trim());
        if (!"https".equals(u.getScheme()) || u.getHost() == null) {
          throw new IllegalArgumentException();
        }
        return u;
      } catch (IllegalArgumentException e) {
        throw new EdfsException(Reason.BAD_REQUEST, "invalid server URL '" + chosen.get() + "': expected https://HOST:PORT");
      }
    }
    return savedSession().map(SessionData::server).orElse(DEFAULT_SERVER);
  }

  EdfsClient client(URI server) {
    ClientOptions o = ClientOptions.of(server, ensureHome().resolve("known_servers")).withNotices(n -> err.println("edfs: " + n));
    return EdfsClient.open(o);
  }

  /**
   * The saved session, resumed; fails with a clear line when there is none, it expired, or it
   * belongs to another server than {@code server} (its token is never sent anywhere else).
   */
  Session session(EdfsClient client, URI server) {
    SessionData data =
        savedSession()
            .orElseThrow(() -> new EdfsException(Reason.UNAUTHENTICATED, "not logged in: run 'edfs login USER' (or 'edfs signup USER')"));
    if (!sameServer(data.server(), server)) {
      throw new EdfsException(
          Reason.UNAUTHENTICATED,
          "logged in to " + data.server() + ", not " + server + ": run 'edfs login USER --server " + server + "'");
    }
    if (data.expiresAt().isBefore(Instant.now())) {
      throw new EdfsException(Reason.UNAUTHENTICATED, "session expired: run 'edfs login " + data.username() + "'");
    }
    return client.resume(data);
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
