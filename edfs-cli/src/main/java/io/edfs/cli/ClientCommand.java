package io.edfs.cli;

import io.edfs.client.EdfsClient;
import io.edfs.client.Session;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** A command that works in a logged-in session. */
abstract class ClientCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin ServerOption server;

  abstract int run(Cli cli, Session session) throws Exception;

  @Override
  public Integer call() throws Exception {
    Cli cli = main.cli;
    List<URI> servers = cli.servers(server.value());
    try (EdfsClient client = cli.client(servers);
        Session session = cli.session(client, servers)) {
      return run(cli, session);
    }
  }
}
