package io.edfs.cli;

import io.edfs.server.EdfsServer;
import io.edfs.server.ServerConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code edfs server}: runs a server. Settings come from the command line, then the environment
 * ({@code EDFS_DB}), then the config file, then the defaults (SQLite + local disk under --data).
 */
@Command(
    name = "server",
    description = {
      "Run an edfs server: blocks under --data; metadata in SQLite there (the default), or in"
          + " MariaDB/MySQL or PostgreSQL with --db.",
      "",
      "Settings: command line, then EDFS_DB, then the --config file (Java properties: data, port,"
          + " bind, db, blocks, gc-grace, gc-interval, lease-ttl), then the defaults. Prefer EDFS_DB"
          + " or a private config file to --db for a URL with a password: a command line is visible"
          + " to other users."
    })
final class ServerCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Mixin ServerSettings settings;

  @Option(names = "--port", description = "HTTPS port (default: 8443; 0 picks a free one).")
  Integer port;

  @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (default: 127.0.0.1).")
  String bind;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = settings.config(main.cli.env, port, bind);
    EdfsServer server = EdfsServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    var out = main.cli.out;
    out.println("edfs server: data in " + server.dataDir());
    out.println("edfs server: blocks in " + server.blocks());
    out.println("edfs server: metadata in the " + server.database());
    out.println("edfs server: listening on " + server.uri());
    out.println("edfs server: certificate SHA-256 fingerprint " + server.certificateFingerprint());
    out.flush();
    stopped.await();
    return 0;
  }
}
