package io.edfs.tests3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real S3 server for tests: S3Proxy on its file-system backend, in a JVM of its own on a free
 * port of 127.0.0.1, with a fresh folder that {@link #close()} deletes. Requests must be signed
 * (AWS signature v2 or v4) with {@link #accessKey()} and {@link #secretKey()}, as with any S3.
 *
 * <p>Objects are plain files {@code folder()/BUCKET/KEY} ({@link #object}), so a test can check
 * or damage stored bytes without going through S3. {@link #kill()} is a crash (SIGKILL); {@link
 * #restart()} brings the server back on the same port and folder. The server also exits by itself
 * when the JVM that started it dies.
 *
 * <p>S3Proxy brings jclouds and a Jetty of its own, so it never shares a class path with the code
 * under test: the build copies its self-contained jar into {@code edfs-tests3/target/s3proxy}
 * (nothing is downloaded while tests run). Start-up takes about 1.5 s: share one server per test
 * class, or per test JVM with {@link #shared()}, and give each test a bucket of its own.
 */
public final class S3Server implements AutoCloseable {
  /** The region every request may name. */
  public static final String REGION = "us-east-1";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static S3Server shared;

  private final Path dir;
  private final int port;
  private final String accessKey;
  private final String secretKey;
  private Process process;

  private S3Server(Path dir, int port, String accessKey, String secretKey) {
    this.dir = dir;
    this.port = port;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /** Starts a server of its own (the caller closes it) and waits until it answers. */
  public static S3Server start() throws IOException {
    Path dir = Files.createTempDirectory("edfs-s3-");
    try {
      Files.createDirectories(dir.resolve("data"));
      S3Server server = new S3Server(dir, freePort(), "edfs-test", HexFormat.of().formatHex(bytes(20)));
      server.writeConfig();
      server.launch();
      return server;
    } catch (IOException | RuntimeException e) {
      deleteRecursively(dir);
      throw e;
    }
  }

  /**
   * One server for the whole test JVM, started on first use and stopped when the JVM exits. Never
   * {@link #kill()} or {@link #close()} it: tests that crash a server start their own.
   */
  public static synchronized S3Server shared() throws IOException {
    if (shared == null) {
      S3Server server = start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "edfs-s3-shared-stop"));
      shared = server;
    }
    return shared;
  }

  /** The endpoint, {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  /** The access key id requests are signed with. */
  public String accessKey() {
    return accessKey;
  }

  /** The secret key requests are signed with (random per server). */
  public String secretKey() {
    return secretKey;
  }

  public String region() {
    return REGION;
  }

  /** Creates an empty bucket with a fresh random name and returns the name. */
  public String createBucket() {
    String name = "edfs-" + HexFormat.of().formatHex(bytes(8));
    createBucket(name);
    return name;
  }

  /** Creates an empty bucket {@code name}; fails if it exists. */
  public void createBucket(String name) {
    if (!BUCKET.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException("not an S3 bucket name: " + name);
    }
    try {
      // the file-system backend keeps a bucket as a folder; this is what CreateBucket does
      Files.createDirectory(folder().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create bucket " + name + " in " + folder(), e);
    }
  }

  /**
   * An edfs block-store URI for {@code bucket} (and an optional {@code prefix}, may be empty) on
   * this server, with its credentials: {@code s3://BUCKET[/PREFIX]?endpoint=..&region=..&access-key=..&secret-key=..}.
   */
  public String blockStoreUri(String bucket, String prefix) {
    return "s3://"
        + bucket
        + (prefix.isEmpty() ? "" : "/" + prefix)
        + "?endpoint="
        + endpoint()
        + "&region="
        + REGION
        + "&access-key="
        + accessKey
        + "&secret-key="
        + secretKey;
  }

  /** The folder holding one sub-folder per bucket, one file per object (deleted by {@link #close()}). */
  public Path folder() {
    return dir.resolve("data");
  }

  /** The file holding object {@code key} of {@code bucket} (it may not exist). */
  public Path object(String bucket, String key) {
    return folder().resolve(bucket).resolve(key);
  }

  /** The keys of the objects in {@code bucket}, sorted. */
  public List<String> keys(String bucket) throws IOException {
    Path root = folder().resolve(bucket);
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  /** Whether the server process runs. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL to the server: it stops answering at once; connections are refused. */
  public void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(this + ": process " + process.pid() + " did not die after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    process = null;
  }

  /** Starts the server again on the same port and folder (after {@link #kill()}); waits until it answers. */
  public void restart() throws IOException {
    if (isAlive()) {
      throw new IllegalStateException(this + " is still running; kill() it first");
    }
    launch();
  }

  /** Kills the server and deletes its folder. */
  @Override
  public void close() {
    try {
      kill();
    } finally {
      deleteRecursively(dir);
    }
  }

  @Override
  public String toString() {
    return "S3 server (S3Proxy) on 127.0.0.1:" + port + " in " + dir;
  }

  private void writeConfig() throws IOException {
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", endpoint().toString());
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", accessKey);
    p.setProperty("s3proxy.credential", secretKey);
    p.setProperty("jclouds.provider", "filesystem");
    p.setProperty("jclouds.filesystem.basedir", folder().toString());
    try (var out = Files.newOutputStream(dir.resolve("s3proxy.properties"))) {
      p.store(out, "edfs test S3 server");
    }
  }

  private void launch() throws IOException {
    Path jar = s3proxyJar();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    cmd.addAll(List.of("-cp", jar + java.io.File.pathSeparator + ownCodeLocation()));
    cmd.add(S3ProxyMain.class.getName());
    cmd.addAll(List.of("--properties", dir.resolve("s3proxy.properties").toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("process.log").toFile()));
    pb.environment().put("LOG_LEVEL", "warn");
    // stdin stays a pipe from this JVM: S3ProxyMain exits when it closes (this JVM died)
    process = pb.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(this + " exited with " + process.exitValue() + " while starting:\n" + logTail());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException e) {
        sleep(50);
      }
    }
    kill();
    throw new IllegalStateException(this + " did not answer within " + START_TIMEOUT.toSeconds() + " s:\n" + logTail());
  }

  private static Path s3proxyJar() throws IOException {
    Properties p = new Properties();
    try (InputStream in = S3Server.class.getResourceAsStream("s3proxy.properties")) {
      if (in == null) {
        throw new IllegalStateException("s3proxy.properties is missing from the edfs-tests3 classes");
      }
      p.load(in);
    }
    Path jar = Path.of(p.getProperty("jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "S3Proxy "
              + p.getProperty("version")
              + " is not at "
              + jar
              + "; the build copies it there unless tests are skipped (run mvn verify or ./test)");
    }
    return jar;
  }

  /** The folder or jar this class was loaded from, for the child's class path. */
  private static Path ownCodeLocation() {
    try {
      return Path.of(S3Server.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private String logTail() {
    Path log = dir.resolve("process.log");
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
