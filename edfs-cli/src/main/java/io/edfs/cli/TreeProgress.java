package io.edfs.cli;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one progress line of a tree transfer on a terminal: files and bytes done of those known so
 * far, speed and time left, redrawn five times a second by a thread of its own. Off the terminal,
 * or with {@code -q}, it only counts. Thread-safe.
 */
final class TreeProgress {
  private final Cli cli;
  private final String verb;
  private final boolean draw;
  private final long start = System.nanoTime();
  private final AtomicLong filesTotal = new AtomicLong();
  private final AtomicLong bytesTotal = new AtomicLong();
  private final AtomicLong filesDone = new AtomicLong();
  private final AtomicLong bytesDone = new AtomicLong();
  private volatile boolean stopped;
  private Thread drawer;

  private TreeProgress(Cli cli, String verb, boolean draw) {
    this.cli = cli;
    this.verb = verb;
    this.draw = draw;
  }

  static TreeProgress start(Cli cli, String verb) {
    TreeProgress p = new TreeProgress(cli, verb, !cli.quiet && Cli.interactive());
    if (p.draw) {
      p.drawer = Thread.ofPlatform().daemon().name("progress").start(p::loop);
    }
    return p;
  }

  void addTotal(long files, long bytes) {
    filesTotal.addAndGet(files);
    bytesTotal.addAndGet(bytes);
  }

  void advance(long bytes) {
    bytesDone.addAndGet(bytes);
  }

  void fileDone() {
    filesDone.incrementAndGet();
  }

  /** A file that needed no transfer (already there) or will not be transferred. */
  void skip(long bytes) {
    filesTotal.decrementAndGet();
    bytesTotal.addAndGet(-bytes);
  }

  long filesTotal() {
    return filesTotal.get();
  }

  long bytesTotal() {
    return bytesTotal.get();
  }

  long filesDone() {
    return filesDone.get();
  }

  long bytesDone() {
    return bytesDone.get();
  }

  double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (drawer != null) {
      drawer.interrupt();
      try {
        drawer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      line();
      cli.err.println();
    }
  }

  private void loop() {
    while (!stopped) {
      line();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void line() {
    double secs = Math.max(seconds(), 1e-3);
    long done = bytesDone.get();
    long total = bytesTotal.get();
    double rate = done / secs;
    String eta = rate > 0 && total > done ? String.format(Locale.ROOT, "  ETA %ds", (long) ((total - done) / rate)) : "";
    cli.err.printf(
        Locale.ROOT,
        "\r%s: %,d/%,d files  %s/%s  %s/s%s   ",
        verb,
        filesDone.get(),
        filesTotal.get(),
        FileCommands.human(done),
        FileCommands.human(total),
        FileCommands.human((long) rate),
        eta);
    cli.err.flush();
  }
}
