package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edfs.testing.EdfsJar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The start-up cache the launcher records")
class StartupCacheIT {
  record Ran(int code, String output) {}

  static Ran java(Path dir, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(EdfsJar.java(), "--sun-misc-unsafe-memory-access=allow"));
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(EdfsJar.path().toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("edfs aot-train runs every training command against its own server and records a cache a command can start from")
  void trainingRecordsAUsableCache(@TempDir Path dir) throws Exception {
    assumeTrue(Runtime.version().feature() >= 25, "the ahead-of-time cache needs JDK 25");
    Path cache = dir.resolve("edfs.aot");
    // the training fails (exit 1, naming the command) when any of its commands fails
    Ran train = java(dir, List.of("-XX:AOTCacheOutput=" + cache), "aot-train");
    assertThat(train.code()).as(train.output()).isZero();
    assertThat(Files.size(cache)).isGreaterThan(1 << 20);
    // AOTMode=on refuses to start when the cache cannot be used, rather than ignoring it
    Ran version = java(dir, List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), "--version");
    assertThat(version.code()).as(version.output()).isZero();
    assertThat(version.output()).contains("edfs 0.1.0");
    // and the training's own classes were recorded: a client command finds the cache's classes
    Ran help = java(dir, List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-Xlog:class+load"), "ls", "--help");
    assertThat(help.code()).as(help.output()).isZero();
    assertThat(help.output()).containsPattern("io\\.edfs\\.cli\\.FileCommands\\$Ls source: (shared objects file|AOT cache)");
  }
}
