package io.edfs.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code edfs completion bash|zsh}: prints a shell completion script for every command and option. */
@Command(
    name = "completion",
    description = {
      "Print a completion script for bash or zsh.",
      "  bash: edfs completion bash > ~/.local/share/bash-completion/completions/edfs",
      "  zsh:  add 'source <(edfs completion zsh)' to ~/.zshrc"
    })
final class CompletionCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  enum Shell {
    bash,
    zsh
  }

  @Override
  public Integer call() {
    String script = AutoComplete.bash("edfs", spec.parent().commandLine());
    if (shell == Shell.zsh) {
      // the bash script runs in zsh through its bash-completion emulation
      script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
    }
    main.cli.out.print(script);
    main.cli.out.flush();
    return 0;
  }
}
