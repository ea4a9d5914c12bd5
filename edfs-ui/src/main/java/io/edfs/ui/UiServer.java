package io.edfs.ui;

import io.edfs.client.EdfsClient;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The local web app: a page on {@code http://127.0.0.1:PORT} in front of an {@link EdfsClient}.
 * The browser only ever talks to this process; names and contents are encrypted and decrypted
 * here, as in the CLI. Only this machine can connect, and only with a link from {@link #link()}.
 */
public final class UiServer implements AutoCloseable {
  private final Server jetty;
  private final Gate gate;
  private final UiApi api;
  private final int port;

  private UiServer(Server jetty, Gate gate, UiApi api, int port) {
    this.jetty = jetty;
    this.gate = gate;
    this.api = api;
    this.port = port;
  }

  /**
   * Starts the app on 127.0.0.1:{@code port} (0: any free port) for a client of {@code servers}.
   * It starts logged out; a login made in the page is kept in memory only.
   */
  public static UiServer start(int port, EdfsClient client, List<URI> servers) throws IOException {
    Gate gate = new Gate();
    UiApi api = new UiApi(client, servers, gate, Clock.systemUTC());
    UiHandler handler = new UiHandler(gate, api);

    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("edfs-ui");
    threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("edfs-ui-", 0).factory()));
    Server jetty = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    // this machine only: the page holds a logged-in session
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(Duration.ofMinutes(5).toMillis());
    jetty.addConnector(connector);
    jetty.setHandler(handler);
    jetty.setStopTimeout(Duration.ofSeconds(5).toMillis());
    try {
      jetty.start();
    } catch (Exception e) {
      api.close(Duration.ZERO);
      String why = e.getCause() instanceof java.net.BindException || e instanceof java.net.BindException
          ? "port " + port + " is in use"
          : e.toString();
      throw new IOException("cannot start edfs ui: " + why, e);
    }
    int bound = connector.getLocalPort();
    handler.port(bound);
    return new UiServer(jetty, gate, api, bound);
  }

  public int port() {
    return port;
  }

  /**
   * A new link that lets one browser in, once, within 15 minutes: {@code
   * http://127.0.0.1:PORT/#token=...}.
   */
  public URI link() {
    return URI.create("http://127.0.0.1:" + port + "/#token=" + gate.newLinkToken(java.time.Instant.now()));
  }

  /** Stops serving and ends the page's session on the server (waiting at most 3 s for it). */
  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      // stopping anyway
    } finally {
      api.close(Duration.ofSeconds(3));
    }
  }
}
