package io.edfs.cli;

import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.Entry;
import io.edfs.client.Progress;
import io.edfs.client.RemotePath;
import io.edfs.client.Session;
import io.edfs.protocol.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** mkdir, ls, stat, put, get, cat, write, mv, rm. */
final class FileCommands {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());


  private FileCommands() {}

  @Command(name = "mkdir", description = "Create a folder.")
  static final class Mkdir extends ClientCommand {
    @Option(names = "-p", description = "Create missing parents; an existing folder is fine.")
    boolean parents;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    int run(Cli cli, Session s) {
      cli.subject = path;
      s.mkdir(path, parents);
      return 0;
    }
  }

  @Command(name = "ls", description = "List a folder (default: your home folder).")
  static final class Ls extends ClientCommand {
    @Option(names = "-l", description = "Long listing: kind, access, size, modified time, name.")
    boolean longFormat;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Parameters(paramLabel = "PATH", defaultValue = "/", arity = "0..1")
    String path;

    @Override
    int run(Cli cli, Session s) throws Exception {
      cli.subject = path;
      List<Entry> entries = s.list(path, longFormat || json);
      if (json) {
        cli.out.println(Json.mapper().writeValueAsString(entries));
      } else {
        for (Entry e : entries) {
          cli.out.println(longFormat ? longLine(e) : e.name() + (e.isFolder() ? "/" : ""));
        }
      }
      return 0;
    }
  }

  @Command(name = "stat", description = "Show what is known about a file or folder.")
  static final class Stat extends ClientCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    int run(Cli cli, Session s) throws Exception {
      cli.subject = path;
      Entry e = s.stat(path);
      if (json) {
        cli.out.println(Json.mapper().writeValueAsString(e));
        return 0;
      }
      cli.out.println("  name: " + (e.name().isEmpty() ? "/" : e.name()));
      cli.out.println("  kind: " + (e.isFolder() ? "folder" : "file"));
      if (!e.isFolder()) {
        cli.out.println("  size: " + e.size() + " bytes (" + human(e.size()) + ")");
        cli.out.println("  version: " + e.version());
      }
      cli.out.println("  created: " + e.createdAt());
      cli.out.println("  modified: " + e.mtime());
      if (e.meta().isPresent()) {
        cli.out.println("  uploaded: " + e.modifiedAt());
        e.meta().get().sha256().ifPresent(h -> cli.out.println("  sha256: " + h));
      }
      cli.out.println("  access: " + e.access().name().toLowerCase(Locale.ROOT));
      cli.out.println("  shared: " + (e.shared() ? "yes" : "no"));
      cli.out.println("  id: " + e.id());
      return 0;
    }
  }

  @Command(
      name = "put",
      description = {
        "Upload a local file (into PATH if PATH is a folder).",
        "With -r, upload what the local folder LOCAL holds into the folder PATH (created if missing),"
            + " empty folders included, several files at once."
      })
  static final class Put extends ClientCommand {
    @Option(names = {"-r", "-R", "--recursive"}, description = "LOCAL is a folder: upload all it holds into PATH.")
    boolean recursive;

    @Mixin TransfersOption transfers;

    @Parameters(index = "0", paramLabel = "LOCAL")
    Path local;

    @Parameters(index = "1", paramLabel = "PATH")
    String path;

    @Override
    int run(Cli cli, Session s) throws Exception {
      if (recursive) {
        cli.subject = path;
        try (var t = new TreeTransfer(cli, s, transfers.transfers, "put")) {
          return t.upload(local, path);
        }
      }
      if (!Files.isRegularFile(local)) {
        throw Files.isDirectory(local)
            ? new LocalPathException(Reason.NOT_A_FILE, local, "is a folder; put -r uploads what it holds")
            : new LocalPathException(Reason.NOT_FOUND, local, "no such file");
      }
      if (Files.size(local) > Session.MAX_FILE_BYTES) {
        throw new EdfsException(
            Reason.TOO_LARGE, local + ": files of more than " + (Session.MAX_FILE_BYTES >> 30) + " GiB are not supported yet");
      }
      String target = path;
      if (path.endsWith("/") || isFolder(s, path)) {
        target = RemotePath.parse(path).child(local.getFileName().toString()).toString();
      }
      cli.subject = target;
      Progress p = ProgressBar.forTerminal(cli, local.getFileName().toString());
      p.total(Files.size(local));
      try (InputStream in = Files.newInputStream(local)) {
        s.write(target, in, p, Files.getLastModifiedTime(local).toInstant());
      }
      return 0;
    }
  }

  @Command(
      name = "get",
      description = {
        "Download a file to a local path (into LOCAL if it is a folder; - for standard output).",
        "With -r, download what the folder PATH holds into the local folder LOCAL (created if"
            + " missing), several files at once; files already there with the same size and"
            + " modification time are left as they are."
      })
  static final class Get extends ClientCommand {
    @Option(names = {"-r", "-R", "--recursive"}, description = "PATH is a folder: download all it holds into LOCAL.")
    boolean recursive;

    @Mixin TransfersOption transfers;

    @Option(names = {"-f", "--force"}, description = "Replace LOCAL if it exists (with -r: local files that differ).")
    boolean force;

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1", paramLabel = "LOCAL")
    Path local;

    @Override
    int run(Cli cli, Session s) throws Exception {
      cli.subject = path;
      if (recursive) {
        try (var t = new TreeTransfer(cli, s, transfers.transfers, "get")) {
          return t.download(path, local, force);
        }
      }
      if (local.toString().equals("-")) {
        return cat(cli, s, path);
      }
      RemotePath remote = RemotePath.parse(path);
      if (remote.isRoot()) {
        // checked here, or a LOCAL folder would be taken for the target and refused as local
        throw new EdfsException(Reason.NOT_A_FILE, remote + ": is not a file");
      }
      download(cli, s, path, Files.isDirectory(local) ? local.resolve(remote.name()) : local, force);
      return 0;
    }
  }

  @Command(name = "cat", description = "Print a file's content to standard output.")
  static final class Cat extends ClientCommand {
    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    int run(Cli cli, Session s) {
      cli.subject = path;
      return cat(cli, s, path);
    }
  }

  @Command(name = "write", description = "Make standard input the new content of a file (created if absent).")
  static final class Write extends ClientCommand {
    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    int run(Cli cli, Session s) {
      cli.subject = path;
      s.write(path, new BufferedInputStream(System.in), Progress.NONE);
      return 0;
    }
  }

  @Command(name = "mv", description = "Rename or move; into DST if DST is a folder.")
  static final class Mv extends ClientCommand {
    @Parameters(index = "0", paramLabel = "SRC")
    String src;

    @Parameters(index = "1", paramLabel = "DST")
    String dst;

    @Override
    int run(Cli cli, Session s) {
      cli.subject = src;
      s.move(src, dst);
      return 0;
    }
  }

  @Command(name = "rm", description = "Delete a file or empty folder; -r for a folder and all in it.")
  static final class Rm extends ClientCommand {
    @Option(names = {"-r", "-R", "--recursive"}, description = "Delete folders and everything in them.")
    boolean recursive;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    int run(Cli cli, Session s) {
      cli.subject = path;
      if (RemotePath.parse(path).isRoot()) {
        throw new EdfsException(Reason.FORBIDDEN, "refusing to delete the home folder");
      }
      s.delete(path, recursive);
      return 0;
    }
  }

  /** Writes the file at {@code path} to standard output. */
  private static int cat(Cli cli, Session s, String path) {
    s.read(path, cli.out, Progress.NONE);
    cli.out.flush();
    return 0;
  }

  /**
   * Downloads the file at {@code path} to {@code target}, which appears whole or not at all;
   * an existing target is replaced only with {@code force}.
   */
  private static void download(Cli cli, Session s, String path, Path target, boolean force) throws IOException {
    if (Files.exists(target) && !Files.isRegularFile(target)) {
      // get renames the download into place: a folder is never replaced, a device or pipe wants '-'
      throw Files.isDirectory(target)
          ? new LocalPathException(Reason.NAME_EXISTS, target, "is a folder")
          : new LocalPathException(Reason.BAD_REQUEST, target, "not a regular file; use 'edfs get " + path + " - > " + target + "'");
    }
    if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw LocalFiles.exists(target);
    }
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw new LocalPathException(Reason.NOT_FOUND, target.getParent() == null ? dir : target.getParent(), "no such folder");
    }
    Path part = LocalFiles.newPart(dir, target);
    // Ctrl-C ends the process without running finally blocks; shutdown hooks do run
    Thread cleanup = new Thread(() -> LocalFiles.deleteQuietly(part));
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      try (OutputStream out = Files.newOutputStream(part)) {
        Entry got = s.read(path, out, ProgressBar.forTerminal(cli, target.getFileName().toString()));
        // the file's own modification time, as its writer recorded it
        Files.setLastModifiedTime(part, FileTime.from(got.mtime()));
      }
      LocalFiles.place(part, target, force);
    } finally {
      LocalFiles.deleteQuietly(part);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  private static boolean isFolder(Session s, String path) {
    try {
      return s.stat(path).isFolder();
    } catch (EdfsException e) {
      if (e.reason() == Reason.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  static String longLine(Entry e) {
    String kind = e.isFolder() ? "d" : "-";
    String access =
        switch (e.access()) {
          case OWNER -> "rw";
          case WRITE -> "rw";
          case READ -> "r-";
        };
    String size = e.isFolder() ? "-" : human(e.size());
    return String.format(
        "%s%s %-6s %9s  %s  %s%s",
        kind, access, e.shared() ? "shared" : "", size, TIME.format(e.mtime()), e.name(), e.isFolder() ? "/" : "");
  }

  /** Bytes for people: 512 B, 1.5 KiB, 3.2 GiB. */
  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }
}
