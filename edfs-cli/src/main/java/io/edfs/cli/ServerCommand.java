package io.edfs.cli;

import io.edfs.server.EdfsServer;
import io.edfs.server.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code edfs server}: runs a server on the embedded default (SQLite + local disk). */
@Command(name = "server", description = "Run an edfs server (SQLite metadata and blocks under --data).")
final class ServerCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--data", description = "Data folder (default: ./edfs-data).", defaultValue = "edfs-data")
  Path data;

  @Option(names = "--port", description = "HTTPS port (default: 8443; 0 picks a free one).", defaultValue = "8443")
  int port;

  @Option(names = "--bind", description = "Address to listen on (default: 127.0.0.1).", defaultValue = "127.0.0.1")
  String bind;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = ServerConfig.defaults(data.toAbsolutePath()).withPort(port).withBind(bind);
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
    out.println("edfs server: data in " + server.dataDir() + " (SQLite metadata, blocks on local disk)");
    out.println("edfs server: listening on " + server.uri());
    out.println("edfs server: certificate SHA-256 fingerprint " + server.certificateFingerprint());
    out.flush();
    stopped.await();
    return 0;
  }
}
