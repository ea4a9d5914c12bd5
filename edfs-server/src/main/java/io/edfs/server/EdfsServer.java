package io.edfs.server;

import io.edfs.server.internal.EdfsRuntime;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * A running edfs server: HTTPS (HTTP/1.1) REST v1 on Jetty, metadata in SQLite (by default, in the
 * data folder) or in MariaDB/MySQL or PostgreSQL ({@link ServerConfig#database()}), blocks on local
 * disk under {@link ServerConfig#dataDir()} or in the store {@link ServerConfig#blocks()} names
 * (a folder, an S3 bucket, or a mirror of two).
 *
 * <p>On first start the data folder is laid out: {@code edfs.db} (SQLite), {@code blocks/} (or
 * {@code spool/} for uploads on their way to S3), {@code tls/} (a self-signed EC P-256 certificate, reused on later starts so its fingerprint stays
 * the same) and {@code server.secret}. Thread-safe; {@link #close()} stops it gracefully.
 */
public final class EdfsServer implements AutoCloseable {
  private final EdfsRuntime runtime;

  private EdfsServer(EdfsRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Starts a server and returns once it accepts connections.
   *
   * @throws IOException if the data folder cannot be prepared or the address cannot be bound
   */
  public static EdfsServer start(ServerConfig config) throws IOException {
    return new EdfsServer(EdfsRuntime.start(config));
  }

  /** The port the server listens on (the actual one when configured with port 0). */
  public int port() {
    return runtime.port();
  }

  /**
   * The base URI clients use, {@code https://host:port}: {@code 127.0.0.1} when bound to a wildcard
   * or loopback address, otherwise the bind address.
   */
  public URI uri() {
    return runtime.uri();
  }

  /**
   * SHA-256 of the server certificate (DER), as uppercase hex pairs joined by {@code ':'} like
   * keytool prints it. Clients pin it.
   */
  public String certificateFingerprint() {
    return runtime.certificateFingerprint();
  }

  /** The data folder. */
  public Path dataDir() {
    return runtime.config().dataDir();
  }

  /** Where the metadata lives, for people: e.g. {@code SQLite database /srv/edfs/edfs.db}. */
  public String database() {
    return runtime.database();
  }

  /**
   * Where the blocks are, for people, never with a credential: e.g. {@code folder
   * /srv/edfs/blocks} or {@code S3 bucket edfs-blocks at http://10.0.0.5:9000}.
   */
  public String blocks() {
    return runtime.blocks();
  }

  /** The configuration this server runs with. */
  public ServerConfig config() {
    return runtime.config();
  }

  /** Stops accepting requests, lets running ones finish, then releases the port and database. */
  @Override
  public void close() {
    runtime.close();
  }

  @Override
  public String toString() {
    return "EdfsServer[" + uri() + ", dataDir=" + dataDir() + "]";
  }
}
