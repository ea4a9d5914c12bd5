package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testing.CliRunner;
import io.edfs.testing.CliRunner.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Three users of a real server, through the {@code edfs} command: alice, bob and carol sign up,
 * write files with several versions and a 5 MiB file of two blocks, and share READ and WRITE. What
 * each user reads and lists is kept, so that the same users can check, on whatever server later
 * holds the installation (moved, restored), that they find all of it again.
 */
final class SampleUsers {
  static final Map<String, String> PASSWORDS =
      Map.of("alice", "alice's long passphrase", "bob", "bob-pass-98765", "carol", "carol pass 4321");
  /** What each user lists, with sizes, times and share modes: all of it from the metadata. */
  static final Map<String, List<List<String>>> LISTINGS =
      Map.of(
          "alice", List.of(List.of("ls", "-l", "--json", "/projects/phoenix/drafts"), List.of("shares", "--json")),
          "bob", List.of(List.of("ls", "-l", "--json", "@alice/phoenix"), List.of("shared", "--json")),
          "carol", List.of(List.of("shared", "--json")));

  /** Logs a user in to the server under test. */
  @FunctionalInterface
  interface Login {
    Result login(String name, CliRunner who);
  }

  private final Path tmp;
  final Map<String, CliRunner> users = new LinkedHashMap<>();
  /** What each user reads (path → content) and sees (listing commands → output). */
  final Map<String, Map<String, byte[]>> files = new LinkedHashMap<>();
  final Map<String, Map<String, String>> views = new LinkedHashMap<>();
  Path big;
  private int checks;

  SampleUsers(Path tmp) {
    this.tmp = tmp;
  }

  /** Signs up the three users on the server at {@code url} and fills their folders. */
  SampleUsers populate(String url) throws Exception {
    for (String name : List.of("alice", "bob", "carol")) {
      CliRunner who = new CliRunner(Files.createDirectories(tmp.resolve("home-" + name)), url, PASSWORDS.get(name));
      users.put(name, who);
      ok(who, "signup", name);
      files.put(name, new LinkedHashMap<>());
    }
    CliRunner alice = users.get("alice");
    CliRunner bob = users.get("bob");
    CliRunner carol = users.get("carol");
    ok(alice, "mkdir", "-p", "/projects/phoenix/drafts");
    for (int v = 1; v <= 3; v++) {
      okIn(alice, "plan, version " + v + "\n", "write", "/projects/phoenix/plan.txt");
    }
    // 5 MiB: two storage blocks
    byte[] bytes = new byte[5 * 1024 * 1024 + 17];
    new Random(3).nextBytes(bytes);
    big = tmp.resolve("big.bin");
    Files.write(big, bytes);
    ok(alice, "put", big.toString(), "/projects/phoenix/drafts/");
    okIn(alice, "private\n", "write", "/diary.txt");
    ok(alice, "share", "/projects/phoenix", "bob", "--read");
    ok(alice, "share", "/projects/phoenix/drafts", "carol", "--write");
    okIn(carol, "carol was here\n", "write", "@alice/drafts/from-carol.txt");
    okIn(bob, "bob's own\n", "write", "/notes.txt");
    okIn(bob, "bob's own, v2\n", "write", "/notes.txt");

    String plan = "plan, version 3\n";
    expect("alice", "/projects/phoenix/plan.txt", plan);
    expect("alice", "/diary.txt", "private\n");
    expect("alice", "/projects/phoenix/drafts/from-carol.txt", "carol was here\n");
    files.get("alice").put("/projects/phoenix/drafts/big.bin", bytes);
    expect("bob", "@alice/phoenix/plan.txt", plan);
    files.get("bob").put("@alice/phoenix/drafts/big.bin", bytes);
    expect("bob", "/notes.txt", "bob's own, v2\n");
    expect("carol", "@alice/drafts/from-carol.txt", "carol was here\n");
    files.get("carol").put("@alice/drafts/big.bin", bytes);
    for (String name : users.keySet()) {
      views.put(name, views(name));
    }
    assertThat(views.get("bob").get("shared --json")).contains("@alice/phoenix").contains("\"mode\":\"R\"");
    assertThat(views.get("carol").get("shared --json")).contains("@alice/drafts").contains("\"mode\":\"W\"");
    return this;
  }

  void expect(String user, String path, String content) {
    files.get(user).put(path, content.getBytes(StandardCharsets.UTF_8));
  }

  Map<String, String> views(String name) {
    Map<String, String> seen = new LinkedHashMap<>();
    for (List<String> command : LISTINGS.get(name)) {
      seen.put(String.join(" ", command), ok(users.get(name), command.toArray(String[]::new)).stdout());
    }
    return seen;
  }

  /**
   * Every user logs in with {@code login} (with the same password as ever), reads every file,
   * byte for byte, and lists the same folders and shares; then carol, a WRITE grantee, writes a
   * new version into alice's folder, which alice reads. Listings change with that: {@link
   * #refreshViews} before checking again.
   */
  void check(String label, Login login) throws Exception {
    checks++;
    for (var entry : users.entrySet()) {
      String name = entry.getKey();
      CliRunner who = entry.getValue();
      Result in = login.login(name, who);
      assertThat(in.exitCode()).as("%s logs in on %s\n%s", name, label, in).isZero();
      for (var file : files.get(name).entrySet()) {
        if (file.getValue().length > 1024 * 1024) {
          Path copy = tmp.resolve(name + "-" + checks + ".bin");
          ok(who, "get", file.getKey(), copy.toString());
          assertThat(Files.mismatch(copy, big)).as("%s reads %s on %s", name, file.getKey(), label).isEqualTo(-1);
        } else {
          assertThat(ok(who, "cat", file.getKey()).stdoutBytes()).as("%s reads %s on %s", name, file.getKey(), label).isEqualTo(file.getValue());
        }
      }
      assertThat(views(name)).as("what %s sees on %s", name, label).isEqualTo(views.get(name));
    }
    CliRunner carol = users.get("carol");
    okIn(carol, "carol, again on " + label + "\n", "write", "@alice/drafts/from-carol.txt");
    assertThat(ok(users.get("alice"), "cat", "/projects/phoenix/drafts/from-carol.txt").stdout()).isEqualTo("carol, again on " + label + "\n");
    expect("alice", "/projects/phoenix/drafts/from-carol.txt", "carol, again on " + label + "\n");
    expect("carol", "@alice/drafts/from-carol.txt", "carol, again on " + label + "\n");
  }

  /** Records what every user lists now (after {@link #check} wrote), for the next check. */
  void refreshViews() {
    for (String name : users.keySet()) {
      views.put(name, views(name));
    }
  }

  static Result ok(CliRunner who, String... args) {
    return okIn(who, "", args);
  }

  static Result okIn(CliRunner who, String stdin, String... args) {
    Result r = who.run(stdin.getBytes(StandardCharsets.UTF_8), args);
    assertThat(r.exitCode()).as("edfs %s\n%s", String.join(" ", args), r).isZero();
    return r;
  }
}
