package io.edfs.cli;

import io.edfs.server.DumpSummary;
import io.edfs.server.EdfsAdmin;
import io.edfs.server.ServerConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code edfs admin dump|load}: the server's metadata as a file, to move it to another engine. */
@Command(
    name = "admin",
    description = "Maintain a server's data (run these while the server is stopped).",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {AdminCommands.Dump.class, AdminCommands.Load.class})
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
    throw new ParameterException(spec.commandLine(), "Missing command: dump or load");
  }

  /** What both commands share: which server data folder and database, and the report. */
  abstract static class DatabaseCommand implements Callable<Integer> {
    @ParentCommand AdminCommands admin;

    @Mixin ServerSettings settings;

    /** The server's settings, found as {@code edfs server} finds them. */
    ServerConfig config() throws IOException {
      return settings.config(admin.main.cli.env, null, null);
    }

    /** Runs the command on {@code config}'s database; says what it did. */
    abstract Done run(ServerConfig config) throws Exception;

    /** What a command did, and where to report it. */
    record Done(PrintStream report, String verb, DumpSummary summary, String where) {}

    @Override
    public final Integer call() throws Exception {
      ServerConfig config = config();
      quietLibraries();
      long start = System.nanoTime();
      Done done = run(config);
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
    Done run(ServerConfig config) throws Exception {
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
    Done run(ServerConfig config) throws Exception {
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
