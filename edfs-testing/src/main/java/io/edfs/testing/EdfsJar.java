package io.edfs.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the runnable {@code edfs.jar} is and how to start a JVM on it, for tests that run real processes. */
public final class EdfsJar {
  private EdfsJar() {}

  /** The jar named by the system property {@code edfs.jar} (set by the build for integration tests). */
  public static Path path() {
    String p = System.getProperty("edfs.jar");
    if (p == null || !Files.isRegularFile(Path.of(p))) {
      throw new IllegalStateException("system property edfs.jar must name the built edfs.jar, got " + p);
    }
    return Path.of(p);
  }

  /** The java binary running this test: a JDK >= 21, as the build requires. */
  public static String java() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * {@code java [jvmArgs] -jar edfs.jar args...}, with a class-data archive next to the jar as the
   * {@code edfs} launcher uses one: the first process writes it, later ones start faster.
   */
  public static List<String> command(List<String> jvmArgs, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow"); // as the launcher does: no warning noise
    }
    cmd.add("-Xlog:cds=off");
    cmd.add("-Xlog:cds+dynamic=off");
    cmd.add("-XX:+AutoCreateSharedArchive");
    cmd.add("-XX:SharedArchiveFile=" + path().resolveSibling("edfs-test.jsa"));
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(path().toString());
    cmd.addAll(args);
    return cmd;
  }
}
