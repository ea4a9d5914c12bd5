package io.edfs.cli;

import io.edfs.server.BackupSummary;
import io.edfs.server.BlockCopy;
import io.edfs.server.DumpSummary;
import io.edfs.server.EdfsAdmin;
import io.edfs.server.FsckReport;
import io.edfs.server.RepairSummary;
import io.edfs.server.RestoreSummary;
import io.edfs.server.ServerConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code edfs admin}: back up and restore an installation, check and repair it, and move its
 * metadata to another engine (dump and load).
 */
@Command(
    name = "admin",
    description = "Maintain a server's data: backup, restore, fsck and repair work while servers run;"
        + " dump is for a stopped server.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      AdminCommands.Backup.class,
      AdminCommands.Restore.class,
      AdminCommands.Fsck.class,
      AdminCommands.Repair.class,
      AdminCommands.Dump.class,
      AdminCommands.Load.class,
      HelpCommand.class
    })
final class AdminCommands implements Runnable {
  static final String MOVING =
      "To move a server to another database: stop the server; edfs admin dump --to FILE;"
          + " edfs admin load --from FILE --db NEW_URL; start the server with the same --data and"
          + " --db NEW_URL. The blocks, TLS identity and server.secret (which every stored password"
          + " hash depends on) stay in the data folder: keep it. Login sessions are not dumped, so"
          + " users log in again. Prefer EDFS_DB or a private config file to --db for a URL with a"
          + " password: a command line is visible to other users.";

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing command: backup, restore, fsck, repair, dump or load");
  }

  /** What every admin command shares: which installation (data folder, database, blocks). */
  abstract static class AdminCommand implements Callable<Integer> {
    @ParentCommand AdminCommands admin;

    @Mixin ServerSettings settings;

    /** The installation's settings, found as {@code edfs server} finds them. */
    ServerConfig config() throws IOException {
      return settings.config(admin.main.cli.env, null, null);
    }

    Cli cli() {
      return admin.main.cli;
    }

    /** Runs the command on {@code config}; returns the exit code. */
    abstract int run(ServerConfig config) throws Exception;

    @Override
    public final Integer call() throws Exception {
      ServerConfig config = config();
      quietLibraries();
      return run(config);
    }
  }

  /** A dump or a load: rows, tables and time on one line. */
  abstract static class DatabaseCommand extends AdminCommand {
    /** Runs the command on {@code config}'s database; says what it did. */
    abstract Done runOnDatabase(ServerConfig config) throws Exception;

    /** What a command did, and where to report it. */
    record Done(PrintStream report, String verb, DumpSummary summary, String where) {}

    @Override
    final int run(ServerConfig config) throws Exception {
      long start = System.nanoTime();
      Done done = runOnDatabase(config);
      double seconds = (System.nanoTime() - start) / 1e9;
      done.report()
          .printf(
              Locale.ROOT,
              "edfs admin: %s %,d rows (%s; schema %s) %s in %.1f s%n",
              done.verb(),
              done.summary().total(),
              done.summary().describe(),
              done.summary().schema(),
              done.where(),
              seconds);
      return 0;
    }
  }

  static final String BACKUP_PRIVACY =
      "A backup holds the server secret (which every stored password hash depends on), the"
          + " metadata and the encrypted blocks: keep it as private as the server's data folder.";

  /** {@code edfs admin backup}. */
  @Command(
      name = "backup",
      description = {
        "Back up the installation to a folder or an S3 bucket: one consistent snapshot of the"
            + " metadata (taken in one read transaction, while servers keep running), every block"
            + " it refers to that the backup does not hold yet (later backups copy only new"
            + " blocks), and the server secret. The snapshot is written last, so a backup that"
            + " fails leaves none behind.",
        "Layout: DIR/snapshots/<UTC time>.edfs-dump.gz, DIR/blocks/ab/cd/<hash>,"
            + " DIR/server.secret (mode 0600); in a bucket the same keys under PREFIX/.",
        BACKUP_PRIVACY
      })
  static final class Backup extends AdminCommand {
    @Option(
        names = "--to",
        paramLabel = "DIR",
        required = true,
        description = {
          "The backup: a folder (new, empty, or an earlier backup of this installation), or an",
          "S3 bucket: s3://BUCKET[/PREFIX]?endpoint=..&access-key=..&secret-key=.. (as --blocks)."
        })
    String to;

    @Override
    int run(ServerConfig config) throws Exception {
      BackupSummary s = EdfsAdmin.backup(config, to);
      cli().out.printf(
          Locale.ROOT,
          "edfs admin: backed up snapshot %s of the %s to %s: %,d rows (%s; schema %s); %s; %s%n",
          s.snapshot(),
          EdfsAdmin.describeDatabase(config),
          s.backup(),
          s.metadata().total(),
          s.metadata().describe(),
          s.metadata().schema(),
          blocks(s.blocks(), "in the backup"),
          speed(s.blocks(), s.elapsed()));
      return 0;
    }
  }

  /** {@code edfs admin restore}. */
  @Command(
      name = "restore",
      description = {
        "Restore a backup into a new installation: the snapshot's blocks go into the block store"
            + " (--blocks; those it holds already are skipped), the server secret into the data"
            + " folder (--data), the metadata into the database (--db), which must be empty. Any"
            + " engine and block store will do. At the end every block a file refers to is looked"
            + " up in the block store. Then start the server on the same --data, --db and --blocks.",
        "Refuses a database that holds metadata, and a data folder with another server secret."
      })
  static final class Restore extends AdminCommand {
    @Option(
        names = "--from",
        paramLabel = "DIR",
        required = true,
        description = "The backup: a folder, or an S3 bucket s3://BUCKET[/PREFIX]?endpoint=.. (as --blocks).")
    String from;

    @Option(
        names = "--snapshot",
        paramLabel = "NAME",
        description = "The snapshot to restore (default: the newest), e.g. 20261126T101530.123Z.")
    String snapshot;

    @Override
    int run(ServerConfig config) throws Exception {
      RestoreSummary s = EdfsAdmin.restore(from, Optional.ofNullable(snapshot), config);
      cli().out.printf(
          Locale.ROOT,
          "edfs admin: restored snapshot %s from %s into the %s and %s: %,d rows (%s; schema %s);"
              + " %s, %,d referenced ones verified; %s%n",
          s.snapshot(),
          s.backup(),
          EdfsAdmin.describeDatabase(config),
          s.blockStore(),
          s.metadata().total(),
          s.metadata().describe(),
          s.metadata().schema(),
          blocks(s.blocks(), "in the block store"),
          s.verified(),
          speed(s.blocks(), s.elapsed()));
      return 0;
    }
  }

  /** {@code edfs admin fsck}. */
  @Command(
      name = "fsck",
      description = {
        "Check the installation: every block a file version lists has a row, refs counts are"
            + " right, every block is in the block store and hashes right (each is read whole),"
            + " current versions belong to their files, used bytes add up. Blocks stored without"
            + " a row are reported as orphans (harmless). Exits with 8 when problems remain.",
        "With --repair, fixes what can be fixed safely: refs counts, used bytes, rows of lost"
            + " blocks no file needs. Lost content cannot be made up: the file versions that need"
            + " a missing or corrupt block are named by id, with their owner, so the owner can"
            + " restore them."
      })
  static final class Fsck extends AdminCommand {
    @Option(names = "--repair", description = "Fix what can be fixed safely.")
    boolean repair;

    /** Findings of one kind printed before the rest is only counted. */
    static final int PRINTED_PER_KIND = 20;

    @Override
    int run(ServerConfig config) throws Exception {
      FsckReport r = EdfsAdmin.fsck(config, repair);
      PrintStream out = cli().out;
      Map<FsckReport.Kind, Integer> printed = new EnumMap<>(FsckReport.Kind.class);
      for (FsckReport.Finding f : r.findings()) {
        if (printed.merge(f.kind(), 1, Integer::sum) <= PRINTED_PER_KIND) {
          out.println(f.kind().label() + ": " + f.detail() + (f.repaired() ? " [repaired]" : ""));
        }
      }
      for (FsckReport.Kind kind : FsckReport.Kind.values()) {
        long more = r.count(kind) - Math.min(PRINTED_PER_KIND, printed.getOrDefault(kind, 0));
        if (more > 0) {
          out.printf(Locale.ROOT, "%s: %,d more%n", kind.label(), more);
        }
      }
      out.printf(
          Locale.ROOT,
          "edfs admin: fsck of the %s and %s: blocks: %,d read whole (%s) in %.1f s, %.1f MiB/s; %s%n",
          EdfsAdmin.describeDatabase(config),
          r.blockStore(),
          r.blocksChecked(),
          FileCommands.human(r.bytesRead()),
          seconds(r.elapsed()),
          r.bytesRead() / MIB / Math.max(seconds(r.elapsed()), 1e-3),
          findings(r));
      if (!r.healthy()) {
        cli().err.printf(
            Locale.ROOT,
            "edfs: fsck: %,d problem(s) remain%s%n",
            r.unresolved(),
            repair ? "" : "; run 'edfs admin fsck --repair' to fix what can be fixed");
        return Main.EXIT_INTEGRITY;
      }
      return 0;
    }

    private static String findings(FsckReport r) {
      List<String> parts = new ArrayList<>();
      for (FsckReport.Kind kind : FsckReport.Kind.values()) {
        long n = r.count(kind);
        if (n > 0) {
          long fixed = r.repaired().getOrDefault(kind, 0L);
          parts.add(
              String.format(Locale.ROOT, "%,d %s", n, kind.label())
                  + (kind.harmless() ? " (harmless)" : "")
                  + (fixed > 0 ? String.format(Locale.ROOT, " (%,d repaired)", fixed) : ""));
        }
      }
      String all = parts.isEmpty() ? "no findings" : String.join(", ", parts);
      return (r.healthy() ? "OK: " : "PROBLEMS: ") + all;
    }
  }

  /** {@code edfs admin repair}. */
  @Command(
      name = "repair",
      description = {
        "Repair a mirrored block store (--blocks mirror:URI,URI), while servers run: copy to each"
            + " side the blocks it lacks, and replace corrupt copies with the other side's good"
            + " ones (every copy on both sides is read). Exits with 8 when a block has no good"
            + " copy on either side: run 'edfs admin fsck' to learn which files need it."
      })
  static final class Repair extends AdminCommand {
    @Option(
        names = "--no-verify",
        description = "Only compare the two sides' listings and copy what one lacks; read nothing.")
    boolean noVerify;

    @Override
    int run(ServerConfig config) throws Exception {
      RepairSummary s = EdfsAdmin.repair(config, !noVerify);
      for (String hash : s.unrepairable()) {
        cli().out.println("no good copy: block " + hash);
      }
      cli().out.printf(
          Locale.ROOT,
          "edfs admin: repaired the mirror of %s and %s: %,d blocks checked; %,d copied to the"
              + " first side, %,d to the second, %,d corrupt copies replaced, %,d without a good"
              + " copy; %.1f s%n",
          s.first(),
          s.second(),
          s.blocksChecked(),
          s.copiedToFirst(),
          s.copiedToSecond(),
          s.replaced(),
          s.unrepairable().size(),
          seconds(s.elapsed()));
      if (!s.unrepairable().isEmpty()) {
        cli().err.printf(
            Locale.ROOT,
            "edfs: repair: %,d block(s) have no good copy on either side; run 'edfs admin fsck'"
                + " to see which files need them%n",
            s.unrepairable().size());
        return Main.EXIT_INTEGRITY;
      }
      return 0;
    }
  }

  private static final double MIB = 1024.0 * 1024.0;

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** {@code blocks: 7 copied (10.2 MiB), 3 already present in the backup}. */
  static String blocks(BlockCopy b, String where) {
    return String.format(
            Locale.ROOT,
            "blocks: %,d copied (%s), %,d already present %s",
            b.copied(),
            FileCommands.human(b.bytesCopied()),
            b.present(),
            where)
        + (b.skipped() == 0
            ? ""
            : String.format(Locale.ROOT, ", %,d unreferenced ones gone", b.skipped()));
  }

  /** {@code 1.3 s, 7.8 MiB/s}. */
  static String speed(BlockCopy b, Duration elapsed) {
    return String.format(
        Locale.ROOT, "%.1f s, %.1f MiB/s", seconds(elapsed), b.mibPerSecond(elapsed));
  }

  /** {@code edfs admin dump}. */
  @Command(
      name = "dump",
      description = {
        "Write all metadata of a server (users, folders, files and their versions, block"
            + " references, shares) to FILE: one consistent snapshot, as gzip'd JSON lines that"
            + " any database engine can load. FILE is readable by its owner only.",
        MOVING
      })
  static final class Dump extends DatabaseCommand {
    @Option(
        names = "--to",
        paramLabel = "FILE",
        required = true,
        description = "Where to write the dump; - for standard output.")
    String to;

    @Override
    Done runOnDatabase(ServerConfig config) throws Exception {
      Cli cli = admin.main.cli;
      if (to.equals("-")) {
        DumpSummary summary = EdfsAdmin.dump(config, cli.out);
        cli.out.flush();
        // the dump has standard output: the report goes to standard error
        return new Done(cli.err, "dumped", summary, "to standard output");
      }
      DumpSummary summary = EdfsAdmin.dump(config, Path.of(to));
      String from = "from the " + EdfsAdmin.describeDatabase(config);
      return new Done(cli.out, "dumped", summary, from + " to " + to);
    }
  }

  /** {@code edfs admin load}. */
  @Command(
      name = "load",
      description = {
        "Load a dump made by 'edfs admin dump' into an empty database: its tables are created"
            + " first, then the rows go in, in transactions of 1,000. A database that already"
            + " holds users is refused. If a load fails part way, drop the database and create"
            + " it empty before loading again.",
        MOVING
      })
  static final class Load extends DatabaseCommand {
    @Option(
        names = "--from",
        paramLabel = "FILE",
        required = true,
        description = "The dump to load; - for standard input.")
    String from;

    @Override
    Done runOnDatabase(ServerConfig config) throws Exception {
      try (InputStream in =
          from.equals("-")
              ? new BufferedInputStream(System.in, 1 << 16)
              : Files.newInputStream(Path.of(from))) {
        DumpSummary summary = EdfsAdmin.load(in, config);
        return new Done(
            admin.main.cli.out, "loaded", summary, "into the " + EdfsAdmin.describeDatabase(config));
      }
    }
  }

  /** Keeps the database libraries' start-up chatter off the terminal; warnings still show. */
  static void quietLibraries() {
    for (String logger : new String[] {"org.flywaydb", "com.zaxxer.hikari"}) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }
}
