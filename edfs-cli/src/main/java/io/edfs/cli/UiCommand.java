package io.edfs.cli;

import io.edfs.client.EdfsClient;
import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.ui.UiServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code edfs ui}: the web app on 127.0.0.1. Its login is its own and lives in its memory only,
 * apart from the session file of the other commands.
 */
@Command(
    name = "ui",
    description = {
      "Start the web app on this machine (127.0.0.1 only) and open it in a browser.",
      "All encryption happens in this process; the browser talks only to it.",
      "It prints a one-time link; press Enter for another one, Ctrl+C to stop."
    })
final class UiCommand implements Callable<Integer> {
  /** How long the file that hands the link to a browser is kept. */
  private static final Duration HANDOFF_LIFETIME = Duration.ofSeconds(60);

  @ParentCommand Main main;
  @Mixin ServerOption server;

  @Option(names = "--port", paramLabel = "N", description = "Port on 127.0.0.1 (default: any free port).")
  int port;

  @Option(names = "--no-browser", description = "Only print the link; do not open a browser.")
  boolean noBrowser;

  @Override
  public Integer call() throws Exception {
    Cli cli = main.cli;
    if (port < 0 || port > 65535) {
      throw new EdfsException(Reason.BAD_REQUEST, "invalid --port " + port + ": expected 0 to 65535");
    }
    List<URI> servers = cli.servers(server.value());
    try (EdfsClient client = cli.client(servers);
        UiServer ui = UiServer.start(port, client, servers)) {
      Runtime.getRuntime().addShutdownHook(new Thread(ui::close, "edfs-ui-stop"));
      URI link = ui.link();
      cli.out.println("Open " + link);
      cli.out.flush();
      if (!noBrowser && !openBrowser(cli, link)) {
        cli.err.println("edfs: no browser could be started here; open the link above in yours");
      }
      if (Cli.interactive()) {
        cli.err.println("edfs ui is running at http://127.0.0.1:" + ui.port() + "/ for " + Cli.list(servers) + ". Press Enter for a new link, Ctrl+C to stop.");
      }
      var stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (stdin.readLine() != null) {
        cli.out.println("Open " + ui.link());
        cli.out.flush();
      }
      // no more input (started in the background): serve until stopped
      new CountDownLatch(1).await();
    }
    return 0;
  }

  /**
   * Opens the link in the desktop's browser. The link goes through a file only this user can read
   * that redirects to it, never on a command line, where other users of the machine could read
   * the token (in {@code ps}) and use it first.
   */
  private static boolean openBrowser(Cli cli, URI link) {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    boolean desktop = os.contains("mac") || os.contains("win") || cli.env.get("DISPLAY") != null || cli.env.get("WAYLAND_DISPLAY") != null;
    if (!desktop) {
      return false;
    }
    try {
      Path home = cli.ensureHome();
      // hand-off files of earlier runs name links that are spent, expired or of a stopped ui
      try (var old = Files.newDirectoryStream(home, "ui-open-*.html")) {
        for (Path f : old) {
          Files.deleteIfExists(f);
        }
      }
      Path handoff = Files.createTempFile(home, "ui-open-", ".html");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(handoff), "edfs-ui-handoff"));
      try {
        Files.setPosixFilePermissions(handoff, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the folder itself is private
      }
      String html =
          "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=\"0;url="
              + link
              + "\"><title>edfs</title><p><a href=\""
              + link
              + "\">Open edfs</a></p>\n";
      Files.writeString(handoff, html);
      List<String> command =
          os.contains("mac")
              ? List.of("open", handoff.toString())
              : os.contains("win") ? List.of("rundll32", "url.dll,FileProtocolHandler", handoff.toString()) : List.of("xdg-open", handoff.toString());
      new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  Thread.sleep(HANDOFF_LIFETIME);
                } catch (InterruptedException ignored) {
                  // deleted now
                }
                deleteQuietly(handoff);
              });
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteQuietly(Path f) {
    try {
      Files.deleteIfExists(f);
    } catch (IOException ignored) {
      // the next start removes it
    }
  }
}
