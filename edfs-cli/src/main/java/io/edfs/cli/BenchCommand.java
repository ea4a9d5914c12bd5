package io.edfs.cli;

import io.edfs.client.EdfsClient;
import io.edfs.client.Progress;
import io.edfs.client.Session;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code edfs bench}: measures a running server through the real client. Signs up a fresh
 * user, then times a large upload and download, many small files and the listing of a large
 * folder, from one client and from several at once, and prints the figures.
 */
@Command(
    name = "bench",
    description = "Benchmark a running server (signs up a throwaway user); 'bench meta' benchmarks metadata operations on a database.",
    subcommands = MetaBenchCommand.class)
final class BenchCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin ServerOption server;

  @Option(names = "--size-mib", description = "Size of the large file in MiB (default: 1024).", defaultValue = "1024")
  int sizeMib;

  @Option(names = "--files", description = "Number of small files (default: 2000).", defaultValue = "2000")
  int files;

  @Option(names = "--file-kib", description = "Size of a small file in KiB (default: 4).", defaultValue = "4")
  int fileKib;

  @Option(names = "--entries", description = "Entries in the folder to list (default: 10000).", defaultValue = "10000")
  int entries;

  @Option(names = "--clients", description = "Concurrent clients for the parallel runs (default: 8).", defaultValue = "8")
  int clients;

  private PrintLine out;

  interface PrintLine {
    void line(String s);
  }

  @Override
  public Integer call() throws Exception {
    Cli cli = main.cli;
    out = s -> {
      cli.out.println(s);
      cli.out.flush();
    };
    String user = "bench-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    char[] password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16)).toCharArray();
    try (EdfsClient client = EdfsClient.open(
            io.edfs.client.ClientOptions.of(cli.servers(server.value()), cli.home().resolve("known_servers"))
                .withNotices(n -> cli.err.println("edfs: " + n)));
        Session s = client.signup(user, password)) {
      out.line("edfs bench against " + Cli.list(s.data().servers()) + " as " + user + " (" + Runtime.getRuntime().availableProcessors() + " cores here)");
      large(s);
      smallFiles(client, s, user, password);
      listing(client, s, user, password);
      out.line(String.format(Locale.ROOT, "client peak: RSS %s, max heap %s", FileCommands.human(peakRss()), FileCommands.human(Runtime.getRuntime().maxMemory())));
    }
    return 0;
  }

  private void large(Session s) {
    long size = (long) sizeMib << 20;
    s.mkdir("/large", false);
    long t0 = System.nanoTime();
    s.write("/large/one.bin", new PatternStream(size), Progress.NONE);
    double up = secs(t0);
    t0 = System.nanoTime();
    s.read("/large/one.bin", OutputStream.nullOutputStream(), Progress.NONE);
    double down = secs(t0);
    out.line(String.format(Locale.ROOT, "large file %d MiB: upload %.2f s (%.0f MiB/s), download %.2f s (%.0f MiB/s)",
        sizeMib, up, sizeMib / up, down, sizeMib / down));
    // a second round: the JVM is warm now (a long-running client, e.g. the web UI)
    t0 = System.nanoTime();
    s.write("/large/two.bin", new PatternStream(size), Progress.NONE);
    up = secs(t0);
    t0 = System.nanoTime();
    s.read("/large/two.bin", OutputStream.nullOutputStream(), Progress.NONE);
    down = secs(t0);
    out.line(String.format(Locale.ROOT, "large file %d MiB, warm: upload %.2f s (%.0f MiB/s), download %.2f s (%.0f MiB/s)",
        sizeMib, up, sizeMib / up, down, sizeMib / down));
    s.delete("/large", true);
  }

  private void smallFiles(EdfsClient client, Session s, String user, char[] password) throws Exception {
    byte[] data = new byte[fileKib * 1024];
    new SecureRandom().nextBytes(data);
    s.mkdir("/small1", false);
    long t0 = System.nanoTime();
    for (int i = 0; i < files; i++) {
      s.write("/small1/f" + i, new ByteArrayInputStream(data), Progress.NONE);
    }
    double one = secs(t0);
    t0 = System.nanoTime();
    for (int i = 0; i < files; i++) {
      s.read("/small1/f" + i, OutputStream.nullOutputStream(), Progress.NONE);
    }
    double oneRead = secs(t0);
    s.mkdir("/small8", false);
    double many = parallel(client, user, password, (c, session) -> {
      for (int i = c; i < files; i += clients) {
        session.write("/small8/f" + i, new ByteArrayInputStream(data), Progress.NONE);
      }
    });
    double manyRead = parallel(client, user, password, (c, session) -> {
      for (int i = c; i < files; i += clients) {
        session.read("/small8/f" + i, OutputStream.nullOutputStream(), Progress.NONE);
      }
    });
    out.line(String.format(Locale.ROOT, "%d files of %d KiB, 1 client: write %.0f files/s, read %.0f files/s", files, fileKib, files / one, files / oneRead));
    out.line(String.format(Locale.ROOT, "%d files of %d KiB, %d clients: write %.0f files/s, read %.0f files/s", files, fileKib, clients, files / many, files / manyRead));
    s.delete("/small1", true);
    s.delete("/small8", true);
  }

  private void listing(EdfsClient client, Session s, String user, char[] password) throws Exception {
    s.mkdir("/big", false);
    double create = parallel(client, user, password, (c, session) -> {
      for (int i = c; i < entries; i += clients) {
        session.mkdir("/big/entry-" + i, false);
      }
    });
    s.list("/big"); // warm up
    long t0 = System.nanoTime();
    int n = s.list("/big").size();
    double one = secs(t0);
    double many = parallel(client, user, password, (c, session) -> session.list("/big"));
    out.line(String.format(Locale.ROOT, "folder of %d entries: created at %.0f/s (%d clients); ls %.3f s (1 client), %d concurrent ls %.3f s",
        n, entries / create, clients, one, clients, many));
    s.delete("/big", true);
  }

  interface ClientWork {
    void run(int client, Session session) throws Exception;
  }

  private double parallel(EdfsClient client, String user, char[] password, ClientWork work) throws Exception {
    List<Session> sessions = new ArrayList<>();
    try {
      for (int c = 0; c < clients; c++) {
        sessions.add(client.login(user, password));
      }
      long t0 = System.nanoTime();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          int id = c;
          Session session = sessions.get(c);
          futures.add(pool.submit(() -> {
            work.run(id, session);
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      }
      return secs(t0);
    } finally {
      sessions.forEach(Session::close);
    }
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Peak resident set size of this process (Linux), or -1. */
  static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException ignored) {
      // not Linux
    }
    return -1;
  }

  /** {@code size} bytes of a repeated random pattern, produced on the fly (no memory, no disk). */
  static final class PatternStream extends InputStream {
    private final byte[] pattern = new byte[1 << 20];
    private long left;

    PatternStream(long size) {
      this.left = size;
      new SecureRandom().nextBytes(pattern);
    }

    @Override
    public int read() {
      if (left <= 0) {
        return -1;
      }
      left--;
      return pattern[(int) (left % pattern.length)] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      int done = 0;
      while (done < n) {
        int pos = (int) ((left - done) % pattern.length);
        int chunk = Math.min(n - done, pattern.length - pos);
        System.arraycopy(pattern, pos, b, off + done, chunk);
        done += chunk;
      }
      left -= n;
      return n;
    }
  }
}
