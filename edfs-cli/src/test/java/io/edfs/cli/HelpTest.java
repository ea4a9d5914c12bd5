package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Command;

@DisplayName("Help and completion of the edfs command")
class HelpTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Every command a user can type, top-level and admin's, as its words. */
  static Stream<List<String>> commands() {
    Stream<List<String>> top =
        Main.COMMANDS.stream().filter(c -> !c.getAnnotation(Command.class).hidden()).map(c -> List.of(Main.commandName(c)));
    Stream<List<String>> admin =
        Stream.of(AdminCommands.class.getAnnotation(Command.class).subcommands()).map(c -> List.of("admin", Main.commandName(c)));
    return Stream.concat(top, admin);
  }

  @ParameterizedTest(name = "edfs {0}")
  @MethodSource("commands")
  @DisplayName("--help, -h and 'help' before it show that command's usage and exit 0")
  void helpOfEveryCommand(List<String> words) {
    String usage = "Usage: edfs " + String.join(" ", words);
    // 'help' goes right after the command's parent: edfs help put, edfs admin help fsck
    List<String> helpWords = new java.util.ArrayList<>(words);
    helpWords.add(words.size() - 1, "help");
    for (String[] args :
        List.of(
            Stream.concat(words.stream(), Stream.of("--help")).toArray(String[]::new),
            Stream.concat(words.stream(), Stream.of("-h")).toArray(String[]::new),
            helpWords.toArray(String[]::new))) {
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isZero();
      assertThat(r.out()).as(String.join(" ", args)).contains(usage + " ");
      assertThat(r.err()).isEmpty();
    }
  }

  @Test
  @DisplayName("edfs --help lists every command but the hidden one")
  void topLevelHelp() {
    Run r = run("--help");
    assertThat(r.code()).isZero();
    commands().filter(w -> w.size() == 1).forEach(w -> assertThat(r.out()).contains("  " + w.get(0) + " "));
    assertThat(r.out()).doesNotContain("aot-train");
  }

  @Test
  @DisplayName("edfs --version and -V print the version alone")
  void version() {
    assertThat(run("--version").out()).isEqualTo("edfs 0.1.0\n");
    assertThat(run("-V").out()).isEqualTo("edfs 0.1.0\n");
  }

  @Test
  @DisplayName("a mistyped command is a usage error that lists the commands")
  void unknownCommand() {
    Run r = run("lss");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unmatched argument").contains("ls");
  }

  @Test
  @DisplayName("completion bash completes commands and their options; zsh loads bash's emulation first")
  void completion() {
    Run bash = run("completion", "bash");
    assertThat(bash.code()).isZero();
    assertThat(bash.out()).contains("complete -F").contains("put").contains("--server").doesNotContain("aot-train");
    Run zsh = run("completion", "zsh");
    assertThat(zsh.code()).isZero();
    assertThat(zsh.out()).contains("bashcompinit").contains("complete -F");
    assertThat(run("completion", "fish").code()).isEqualTo(2);
  }
}
