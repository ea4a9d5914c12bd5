package io.edfs.cli;

import io.edfs.client.Progress;
import java.io.PrintStream;

/** A one-line progress bar on a terminal: percent, bytes, rate; redrawn at most 10 times a second. */
final class ProgressBar implements Progress {
  private final PrintStream err;
  private final String label;
  private final long start = System.nanoTime();
  private long total = -1;
  private long done;
  private long lastDraw;

  private ProgressBar(PrintStream err, String label) {
    this.err = err;
    this.label = label;
  }

  /** A bar when stderr is a terminal and the command is not {@code -q}, else nothing. */
  static Progress forTerminal(Cli cli, String label) {
    return !cli.quiet && Cli.interactive() ? new ProgressBar(cli.err, label) : Progress.NONE;
  }

  @Override
  public void total(long bytes) {
    total = bytes;
  }

  @Override
  public void advance(long bytes) {
    done += bytes;
    long now = System.nanoTime();
    if (now - lastDraw > 100_000_000L) {
      lastDraw = now;
      draw(now);
    }
  }

  @Override
  public void done() {
    draw(System.nanoTime());
    err.println();
  }

  private void draw(long now) {
    double secs = Math.max((now - start) / 1e9, 1e-3);
    String rate = FileCommands.human((long) (done / secs)) + "/s";
    if (total > 0) {
      int pct = (int) Math.min(100, done * 100 / total);
      int filled = pct / 4;
      err.printf(
          "\r%s [%s%s] %3d%% %s / %s %s   ",
          label, "#".repeat(filled), " ".repeat(25 - filled), pct, FileCommands.human(done), FileCommands.human(total), rate);
    } else {
      err.printf("\r%s %s %s   ", label, FileCommands.human(done), rate);
    }
    err.flush();
  }
}
