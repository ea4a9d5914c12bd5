package io.edfs.cli;

import io.edfs.client.EdfsClient;
import io.edfs.client.EdfsException;
import io.edfs.client.Session;
import io.edfs.client.SessionData;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** signup, login, logout, whoami. */
final class AccountCommands {
  private AccountCommands() {}

  abstract static class PasswordCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Mixin ServerOption server;

    @Parameters(paramLabel = "USER", description = "Username.")
    String user;

    @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
    boolean passwordStdin;

    abstract Session open(EdfsClient client, char[] password);

    abstract String verb();

    @Override
    public Integer call() {
      Cli cli = main.cli;
      cli.subject = user;
      try (EdfsClient client = cli.client(cli.servers(server.value()))) {
        char[] password = cli.password(passwordStdin, this instanceof Signup);
        try (Session s = open(client, password)) {
          cli.saveSession(s.data());
          cli.out.println(verb() + " " + s.username() + " at " + Cli.list(s.data().servers()));
        } finally {
          Arrays.fill(password, '\0');
        }
      }
      return 0;
    }
  }

  @Command(name = "signup", description = "Create an account (and its home folder) and log in.")
  static final class Signup extends PasswordCommand {
    @Override
    Session open(EdfsClient client, char[] password) {
      return client.signup(user, password);
    }

    @Override
    String verb() {
      return "signed up and logged in as";
    }
  }

  @Command(name = "login", description = "Log in; later commands need no password until logout.")
  static final class Login extends PasswordCommand {
    @Override
    Session open(EdfsClient client, char[] password) {
      return client.login(user, password);
    }

    @Override
    String verb() {
      return "logged in as";
    }
  }

  @Command(name = "logout", description = "Revoke the session on the server and forget it here.")
  static final class Logout implements Callable<Integer> {
    @ParentCommand Main main;

    @Override
    public Integer call() {
      Cli cli = main.cli;
      var saved = cli.savedSession();
      if (saved.isEmpty()) {
        cli.out.println("not logged in");
        return 0;
      }
      // the session's own servers: its token goes nowhere else
      List<URI> servers = saved.get().servers();
      try (EdfsClient client = cli.client(servers);
          Session s = cli.session(client, servers)) {
        s.logout();
      } catch (EdfsException e) {
        if (e.reason() != EdfsException.Reason.UNAUTHENTICATED) {
          throw e;
        }
        // already expired or revoked on the server: forgetting it here is all that is left
      } finally {
        cli.deleteSession();
      }
      cli.out.println("logged out " + saved.get().username());
      return 0;
    }
  }

  @Command(name = "whoami", description = "Print the logged-in user and server.")
  static final class Whoami implements Callable<Integer> {
    @ParentCommand Main main;

    @Override
    public Integer call() {
      Cli cli = main.cli;
      SessionData s =
          cli.savedSession()
              .orElseThrow(() -> new EdfsException(EdfsException.Reason.UNAUTHENTICATED, "not logged in: run 'edfs login USER'"));
      cli.out.println(s.username() + " at " + Cli.list(s.servers()) + " (session until " + s.expiresAt() + ")");
      return 0;
    }
  }
}
