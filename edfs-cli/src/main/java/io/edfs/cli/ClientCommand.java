package io.edfs.cli;

import io.edfs.client.EdfsClient;
import io.edfs.client.Session;
import java.net.URI;
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
    URI url = cli.server(server.value());
    try (EdfsClient client = cli.client(url);
        Session session = cli.session(client, url)) {
      return run(cli, session);
    }
  }
}
