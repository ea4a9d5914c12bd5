package io.edfs.server.internal;

import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles and runs a server: data folder layout, secret, TLS identity, database, block store,
 * services and Jetty. The implementation behind {@link io.edfs.server.EdfsServer}.
 */
public final class EdfsRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdfsRuntime.class);

  /** Failed logins allowed per username, and per client address, in a sliding minute. */
  private static final int FAILURES_PER_USER = 5;

  private static final int FAILURES_PER_ADDRESS = 20;
  private static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);

  private final ServerConfig config;
  private final Server jetty;
  private final Database db;
  private final BlockStore store;
  private final Maintenance maintenance;
  private final int port;
  private final URI uri;
  private final String fingerprint;

  private EdfsRuntime(
      ServerConfig config,
      Server jetty,
      Database db,
      BlockStore store,
      Maintenance maintenance,
      int port,
      String fingerprint) {
    this.config = config;
    this.jetty = jetty;
    this.db = db;
    this.store = store;
    this.maintenance = maintenance;
    this.port = port;
    this.fingerprint = fingerprint;
    this.uri = URI.create("https://" + clientHost(config.bindAddress()) + ":" + port);
  }

  /** Prepares the data folder and starts serving; returns once the port accepts connections. */
  public static EdfsRuntime start(ServerConfig config) throws IOException {
    Path dir = config.dataDir().toAbsolutePath();
    // a new data folder is private; an existing one keeps the permissions its admin chose
    PrivateFiles.createPrivateDirectory(dir);
    SecureRandom random = new SecureRandom();
    ServerSecret secret = ServerSecret.loadOrCreate(dir.resolve(ServerSecret.FILE_NAME), random);
    Tls tls = Tls.loadOrCreate(dir.resolve("tls"), config.bindAddress(), random);
    BlockStore store;
    Dialect dialect;
    try {
      store = BlockStores.open(config.blocks(), dir);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    try {
      dialect = Dialects.forUrl(config.database(), dir);
    } catch (IllegalArgumentException e) {
      store.close();
      throw new IOException(e.getMessage(), e);
    }
    Database db;
    try {
      db = Database.open(dialect);
    } catch (Database.SchemaException e) {
      dialect.close();
      store.close();
      throw new IOException(e.getMessage(), e);
    } catch (Exception e) {
      dialect.close();
      store.close();
      throw new IOException("cannot open the " + dialect.describe() + ": " + rootMessage(e), e);
    }
    try {
      ClusterFacts.checkSecret(db, secret, dir.resolve(ServerSecret.FILE_NAME));
      ClusterFacts.checkStore(db, store, random);
    } catch (IOException | RuntimeException e) {
      // a refused secret or store, the store failing, or the database failing right after it opened
      db.close();
      store.close();
      throw new IOException(
          e instanceof IllegalStateException || e instanceof IOException
              ? e.getMessage()
              : "cannot start the server: " + rootMessage(e),
          e);
    }
    Server jetty = null;
    try {
      Clock clock = Clock.systemUTC();
      UserStore users = new UserStore(db.dialect());
      NodeStore nodes = new NodeStore();
      VersionStore versions = new VersionStore(db.dialect());
      GrantStore grants = new GrantStore(db.dialect());
      Accounts accounts =
          new Accounts(
              db,
              users,
              nodes,
              secret,
              random,
              clock,
              config.sessionTtl(),
              config.defaultQuotaBytes(),
              new RateLimiter(FAILURES_PER_USER, FAILURE_WINDOW),
              new RateLimiter(FAILURES_PER_ADDRESS, FAILURE_WINDOW));
      Blocks blocks = new Blocks(db, versions, store);
      RequestKeys requests = new RequestKeys(db);
      Tree tree =
          new Tree(
              db, nodes, versions, grants, users, blocks, requests, clock, config.keepVersions());
      Sharing sharing = new Sharing(db, nodes, grants, users, requests, clock);
      ApiHandler api = new ApiHandler(Endpoints.router(accounts, tree, sharing, blocks), accounts);
      jetty = jetty(config, tls, api);
      jetty.start();
      int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
      Maintenance maintenance =
          new Maintenance(
              new Lease(db, Maintenance.LEASE, holderId(random, port)),
              config.leaseTtl(),
              config.gcInterval(),
              new GarbageCollector(db, versions, blocks, store, config.gcGrace()),
              store instanceof Repairable r ? Optional.of(r) : Optional.empty(),
              Optional.of(requests));
      EdfsRuntime runtime =
          new EdfsRuntime(config, jetty, db, store, maintenance, port, tls.fingerprint());
      LOG.info(
          "edfs server listening on {} (data in {}, metadata in the {}, blocks in {}; certificate"
              + " SHA-256 fingerprint {})",
          runtime.uri(),
          dir,
          dialect.describe(),
          store.describe(),
          runtime.certificateFingerprint());
      maintenance.start();
      return runtime;
    } catch (Exception e) {
      stopQuietly(jetty);
      db.close();
      store.close();
      if (e instanceof IOException io) {
        throw new IOException(
            "cannot listen on "
                + config.bindAddress()
                + ":"
                + config.port()
                + ": "
                + io.getMessage(),
            io);
      }
      throw new IOException("cannot start the server: " + e, e);
    }
  }

  private static Server jetty(ServerConfig config, Tls tls, ApiHandler api) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("edfs-io");
    // selectors stay on platform threads; every request runs on its own virtual thread
    threads.setVirtualThreadsExecutor(
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("edfs-request-", 0).factory()));
    Server server = new Server(threads);

    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(tls.keyStore());
    ssl.setKeyStorePassword(tls.password());
    ssl.setCertAlias(Tls.ALIAS);
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");

    HttpConfiguration http = new HttpConfiguration();
    http.setSecureScheme("https");
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // clients pin the certificate and may reach the server under any name
    secure.setSniHostCheck(false);
    http.addCustomizer(secure);

    ServerConnector connector =
        new ServerConnector(
            server,
            new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
            new HttpConnectionFactory(http));
    connector.setHost(config.bindAddress());
    connector.setPort(config.port());
    connector.setIdleTimeout(Duration.ofSeconds(60).toMillis());
    server.addConnector(connector);

    GracefulHandler graceful = new GracefulHandler(api);
    // on stop, running requests finish; idle keep-alive connections need not hold it up
    graceful.setShutdownIdleTimeout(200);
    server.setHandler(graceful);
    server.setErrorHandler(new ProblemErrorHandler());
    server.setStopTimeout(Duration.ofSeconds(10).toMillis());
    return server;
  }

  /** Where the metadata lives, for people (never with a password). */
  public String database() {
    return db.dialect().describe();
  }

  /** Where the blocks are, for people (never with a credential). */
  public String blocks() {
    return store.describe();
  }

  /** The configuration this server runs with. */
  public ServerConfig config() {
    return config;
  }

  /** The port actually listened on. */
  public int port() {
    return port;
  }

  /** The base URI for local clients. */
  public URI uri() {
    return uri;
  }

  /** SHA-256 of the certificate, uppercase hex pairs joined by ':'. */
  public String certificateFingerprint() {
    return fingerprint;
  }

  /**
   * Stops the background worker (giving its lease up for another node), then Jetty gracefully,
   * then closes the database.
   */
  @Override
  public void close() {
    maintenance.close();
    stopQuietly(jetty);
    db.close();
    store.close();
    LOG.info("edfs server on port {} stopped", port);
  }

  private static void stopQuietly(Server jetty) {
    if (jetty == null) {
      return;
    }
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server failed", e);
    }
  }

  /**
   * Who this process is in the lease table: random, so a restarted node on the same address is a
   * new holder, plus where it serves, for people reading the table or the log.
   */
  private static String holderId(SecureRandom random, int port) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    byte[] id = new byte[6];
    random.nextBytes(id);
    String holder = HexFormat.of().formatHex(id) + "@" + host + ":" + port;
    return holder.length() <= 128 ? holder : holder.substring(0, 128);
  }

  /** The message of the innermost cause: what the driver said, without the wrapping. */
  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  /** The host a local client should use to reach a server bound to {@code bind}. */
  static String clientHost(String bind) {
    if (Tls.isWildcard(bind) || bind.equals("127.0.0.1") || bind.equals("localhost")) {
      return "127.0.0.1";
    }
    if (bind.contains(":") && !bind.startsWith("[")) {
      return "[" + bind + "]";
    }
    return bind;
  }
}
