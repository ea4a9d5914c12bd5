package io.edfs.cli.web;

import static io.edfs.cli.web.Browser.test;
import static org.assertj.core.api.Assertions.assertThat;

import io.edfs.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * {@code edfs ui} in a real browser: a real server process, one {@code edfs ui} process and one
 * headless Chromium for each of alice and bob. They sign up, upload (file picker and drag and
 * drop), create, edit, rename, move, delete, download, share READ and WRITE, run into a version
 * conflict and revoke, as a person would, looking at the page. Screenshots of every screen go
 * to {@code target/screenshots}.
 */
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("edfs ui in a browser, two users")
class WebUiIT {
  private static final String ALICE_PASSWORD = "alice's garden of forking paths";
  private static final String BOB_PASSWORD = "bob-likes-long-passphrases-42";

  Path tmp;
  Path shots;
  int shot;
  ServerProcess server;
  UiProcess aliceUi;
  UiProcess bobUi;
  Browser alice;
  Browser bob;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    if (!Browser.installed()) {
      return; // the test itself says why it does not run (a class-level skip would be silent)
    }
    tmp = dir;
    shots = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    if (Files.isDirectory(shots)) {
      try (var old = Files.list(shots)) {
        for (Path p : old.toList()) {
          Files.delete(p);
        }
      }
    }
    server = ServerProcess.start(tmp.resolve("data"), List.of());
    open.add(server);
    // the four processes start side by side: on a small machine that is most of the set-up time
    Thread a = Thread.ofVirtual().start(() -> aliceUi = uiFor("alice"));
    Thread b = Thread.ofVirtual().start(() -> bobUi = uiFor("bob"));
    alice = keep(Browser.start("alice", tmp.resolve("browser-alice"), shots));
    bob = keep(Browser.start("bob", tmp.resolve("browser-bob"), shots));
    a.join();
    b.join();
    assertThat(aliceUi).as("alice's edfs ui").isNotNull();
    assertThat(bobUi).as("bob's edfs ui").isNotNull();
  }

  private UiProcess uiFor(String user) {
    try {
      return keep(UiProcess.start(tmp.resolve("home-" + user), server.url()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private synchronized <T extends AutoCloseable> T keep(T closeable) {
    open.add(closeable);
    return closeable;
  }

  @AfterAll
  void stop() throws Exception {
    Exception first = null;
    for (AutoCloseable c : open.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Test
  @Order(2)
  @DisplayName("sign up, upload, edit, rename, move, delete, download, share READ and WRITE, conflict, revoke")
  void journey() throws Exception {
    Browser.assumeInstalled();
    signUp();
    upload();
    createAndEdit();
    renameMoveDelete();
    downloadIsTheSameBytes();
    shareRead();
    shareWrite();
    versionConflict();
    keyboardOnly();
    revoke();
    phoneWidth();
    logOutAndIn();
    alice.assertNoScriptErrors();
    bob.assertNoScriptErrors();
    serverDown();
  }

  @Test
  @Order(1)
  @DisplayName("on a desktop, edfs ui opens the browser through a file only its user can read, and the browser gets in")
  void opensTheBrowserThroughAHandOffFile() throws Exception {
    Browser.assumeInstalled();
    // the desktop's opener, as xdg-open would be: it notes which file it was asked to open
    Path opener = Files.createDirectories(tmp.resolve("opener"));
    Path asked = opener.resolve("asked");
    Path xdgOpen = opener.resolve("xdg-open");
    Files.writeString(xdgOpen, "#!/bin/sh\nprintf '%s' \"$1\" > '" + asked + "'\n");
    Files.setPosixFilePermissions(xdgOpen, PosixFilePermissions.fromString("rwx------"));
    UiProcess carolUi = keep(UiProcess.startOnDesktop(tmp.resolve("home-carol"), server.url(), opener));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.exists(asked) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Path handoff = Path.of(Files.readString(asked));
    assertThat(handoff.getParent()).isEqualTo(tmp.resolve("home-carol"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(handoff))).isEqualTo("rw-------");
    assertThat(Files.readString(handoff)).contains(carolUi.link());
    Browser carol = keep(Browser.start("carol", tmp.resolve("browser-carol"), shots));
    carol.open(handoff.toUri().toString());
    carol.visible("auth-screen");
    assertThat(carol.driver().getCurrentUrl()).as("the token is gone from the address bar").isEqualTo(carolUi.origin());

    // names and contents are shown as text, never run: a file named like markup, with markup in it
    carol.click("auth-switch");
    carol.type("auth-username", "carol");
    carol.type("auth-password", "carol's long passphrase");
    carol.type("auth-again", "carol's long passphrase");
    carol.click("auth-submit");
    carol.await(ExpectedConditions.textToBe(test("current-user"), "carol"));
    // the list must be up before anything is dropped on it
    carol.visible("empty-folder");
    String name = "<img src=x onerror=\"window.pwned=1\"> #?%&+ \u00e9.txt";
    String content = "<script>window.pwned=1</script>\r\nsecond line\r\n";
    carol.js(
        "const dt = new DataTransfer();"
            + "dt.items.add(new File([arguments[0]], arguments[1], {type: 'text/plain'}));"
            + "document.getElementById('file-list').dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));",
        content,
        name);
    carol.await(
        "the row of the oddly named file",
        d -> carol.js("return [...document.querySelectorAll('#file-list [data-test=row]')].some(r => r.dataset.name === arguments[0])", name));
    assertThat(carol.js("return document.querySelectorAll('#file-list img, #file-list script').length")).isEqualTo(0L);
    assertThat(carol.js("return [...document.querySelectorAll('#file-list [data-test=row]')].find(r => r.dataset.name === arguments[0]).textContent", name).toString())
        .contains(name);
    carol.js("[...document.querySelectorAll('#file-list [data-test=row]')].find(r => r.dataset.name === arguments[0]).querySelector('[data-test=row-open]').click()", name);
    carol.visible("editor");
    assertThat(carol.js("return document.getElementById('editor-text').value")).isEqualTo(content.replace("\r\n", "\n"));
    // saving keeps the file's CRLF line ends, though a textarea shows them as LF
    carol.visible("editor-text").sendKeys(Keys.chord(Keys.CONTROL, Keys.END), "third line");
    carol.click("editor-save");
    carol.await(ExpectedConditions.textToBe(test("editor-state"), "Saved"));
    carol.click("editor-close");
    carol.visible("files-view");
    carol.js("[...document.querySelectorAll('#file-list [data-test=row]')].find(r => r.dataset.name === arguments[0]).querySelector('[data-test=row-open]').click()", name);
    carol.visible("editor");
    carol.await("the saved text", d -> carol.js("return document.getElementById('editor-text').value").toString().contains("third line"));
    assertThat(carol.js("return window.pwned === undefined")).as("no markup from a name or a file ran").isEqualTo(true);
    snap(carol, "odd-name");
    carol.assertNoScriptErrors();
    try (var session = io.edfs.client.EdfsClient.open(io.edfs.client.ClientOptions.of(java.net.URI.create(server.url()), tmp.resolve("carol-known")))) {
      var out = new java.io.ByteArrayOutputStream();
      try (var c = session.login("carol", "carol's long passphrase".toCharArray())) {
        c.read("/" + name, out, io.edfs.client.Progress.NONE);
      }
      assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(content + "third line");
    }
  }

  // ------------------------------------------------------------------------------------------

  void signUp() {
    // without the link from the terminal the page says where to get one
    alice.open(aliceUi.origin());
    alice.visible("link-screen");
    assertThat(text(alice, "link-screen")).contains("edfs ui");
    snap(alice, "link-missing");

    alice.open(aliceUi.link());
    alice.visible("auth-screen");
    assertThat(alice.driver().getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token");
    assertThat(text(alice, "auth-title")).isEqualTo("Log in");
    snap(alice, "login");
    alice.click("auth-switch");
    alice.await(ExpectedConditions.textToBe(test("auth-title"), "Create your account"));
    alice.type("auth-username", "alice");
    alice.type("auth-password", ALICE_PASSWORD);
    // the password twice: nobody can reset it
    alice.type("auth-again", ALICE_PASSWORD + "x");
    alice.click("auth-submit");
    alice.await(ExpectedConditions.textToBePresentInElementLocated(test("auth-error"), "differ"));
    alice.type("auth-again", ALICE_PASSWORD);
    snap(alice, "signup");
    alice.click("auth-submit");
    alice.await(ExpectedConditions.textToBe(test("current-user"), "alice"));
    alice.visible("empty-folder");
    snap(alice, "home-empty");

    // a link works once: bob's browser cannot use alice's again
    bob.open(aliceUi.link());
    bob.visible("link-screen");
    assertThat(bob.visible("link-message").getText()).isNotBlank();
    snap(bob, "link-used");

    bob.open(bobUi.link());
    bob.visible("auth-screen");
    bob.click("auth-switch");
    bob.type("auth-username", "bob");
    bob.type("auth-password", BOB_PASSWORD);
    bob.type("auth-again", BOB_PASSWORD);
    bob.click("auth-submit");
    bob.await(ExpectedConditions.textToBe(test("current-user"), "bob"));
  }

  byte[] video;
  Path notes;

  void upload() throws Exception {
    Path local = Files.createDirectories(tmp.resolve("local"));
    video = new byte[4 * 1024 * 1024 + 123];
    new Random(7).nextBytes(video);
    Path videoFile = Files.write(local.resolve("holiday-video.mp4"), video);
    byte[] photo = new byte[300_000];
    new Random(8).nextBytes(photo);
    Path photoFile = Files.write(local.resolve("photo.jpg"), photo);
    notes = Files.writeString(local.resolve("notes.txt"), "Meeting on Tuesday.\n");

    // every status the uploads panel shows, to see the progress go by
    alice.js(
        "window.seenStatus = [];"
            + "new MutationObserver(() => document.querySelectorAll('[data-test=upload-status]')"
            + "  .forEach((s) => window.seenStatus.push(s.textContent)))"
            + ".observe(document.getElementById('upload-list'), {subtree: true, childList: true, characterData: true});");
    WebElement input = alice.driver().findElement(test("upload-input"));
    input.sendKeys(videoFile + "\n" + photoFile + "\n" + notes);
    alice.visible("uploads");
    snap(alice, "uploading");
    for (String name : List.of("holiday-video.mp4", "photo.jpg", "notes.txt")) {
      uploaded(alice, name);
    }
    WebElement videoProgress = alice.driver().findElement(By.cssSelector("[data-test='upload-item'][data-name='holiday-video.mp4'] progress"));
    assertThat(videoProgress.getDomProperty("value")).isEqualTo("100");
    @SuppressWarnings("unchecked")
    List<String> seen = (List<String>) alice.js("return window.seenStatus;");
    assertThat(seen).as("progress shown while uploading").anyMatch(s -> s.matches("\\d+%"));
    assertThat(text(row(alice, "holiday-video.mp4"), "row-size")).isEqualTo("4 MB");
    snap(alice, "uploaded");

    // drag and drop onto the file list, with the drop overlay showing
    alice.js(
        "const dt = new DataTransfer();"
            + "dt.items.add(new File([arguments[0]], arguments[1], {type: 'text/plain'}));"
            + "window.dropped = dt;"
            + "const zone = document.getElementById('drop-zone');"
            + "zone.dispatchEvent(new DragEvent('dragenter', {bubbles: true, cancelable: true, dataTransfer: dt}));"
            + "zone.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));",
        "dropped on the list\n",
        "dropped.txt");
    alice.visible("drop-overlay");
    snap(alice, "drop-overlay");
    alice.js(
        "document.getElementById('file-list').dispatchEvent("
            + "new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: window.dropped}));");
    alice.gone("drop-overlay");
    uploaded(alice, "dropped.txt");
    row(alice, "dropped.txt");

    // the same name again: the page asks before replacing
    Files.writeString(notes, "Meeting moved to Wednesday.\n");
    alice.driver().findElement(test("upload-input")).sendKeys(notes.toString());
    alice.visible("dialog-confirm");
    assertThat(text(alice, "confirm-message")).contains("notes.txt");
    assertThat(alice.driver().findElement(By.id("confirm-title")).getText()).isEqualTo("Replace notes.txt?");
    snap(alice, "replace-confirm");
    alice.click("confirm-ok");
    alice.gone("dialog-confirm");
    alice.await(
        ExpectedConditions.textToBe(By.cssSelector("[data-test='upload-item'][data-name='notes.txt'] [data-test='upload-status']"), "Done"));
    openRow(alice, "notes.txt");
    alice.visible("editor");
    assertThat(editorText(alice)).isEqualTo("Meeting moved to Wednesday.\n");
    alice.click("editor-close");
    alice.visible("files-view");
    alice.click("uploads-close");
    alice.gone("uploads");
  }

  void createAndEdit() {
    newFolder(alice, "Projects");
    newFolder(alice, "Scratch");

    // a name already taken, and one that cannot be a name: the dialog says so and stays open
    alice.click("new-folder");
    alice.type("prompt-input", "Projects");
    alice.visible("prompt-input").sendKeys(Keys.ENTER);
    assertThat(alice.visible("prompt-error").getDomAttribute("role")).isEqualTo("alert");
    snap(alice, "name-exists");
    alice.type("prompt-input", "a/b");
    alice.visible("prompt-input").sendKeys(Keys.ENTER);
    alice.await(ExpectedConditions.textToBePresentInElementLocated(test("prompt-error"), "/"));
    alice.visible("prompt-input").sendKeys(Keys.ESCAPE);
    alice.gone("dialog-prompt");

    // a new text file opens in the editor; Ctrl+S saves it
    alice.click("new-file");
    alice.type("prompt-input", "plan.md");
    alice.visible("prompt-input").sendKeys(Keys.ENTER);
    alice.await(ExpectedConditions.textToBe(test("editor-name"), "plan.md"));
    assertThat(editorText(alice)).isEmpty();
    typeInEditor(alice, "# Plan\n\n- ship the web app\n");
    alice.visible("editor-dirty");
    snap(alice, "editor-unsaved");
    alice.visible("editor-text").sendKeys(Keys.chord(Keys.CONTROL, "s"));
    saved(alice);
    snap(alice, "editor-saved");
    alice.click("editor-close");
    row(alice, "plan.md");
    openRow(alice, "plan.md");
    alice.await(ExpectedConditions.textToBe(test("editor-name"), "plan.md"));
    assertThat(editorText(alice)).isEqualTo("# Plan\n\n- ship the web app\n");

    // closing with unsaved changes asks first
    typeInEditor(alice, "not kept");
    alice.click("editor-close");
    alice.visible("dialog-confirm");
    alice.click("confirm-cancel");
    alice.gone("dialog-confirm");
    alice.visible("editor");
    alice.click("editor-close");
    alice.click("confirm-ok");
    alice.visible("files-view");
  }

  void renameMoveDelete() {
    rowAction(alice, "dropped.txt", "rename");
    alice.type("prompt-input", "dropped-renamed.txt");
    alice.visible("prompt-input").sendKeys(Keys.ENTER);
    rowGone(alice, "dropped.txt");
    row(alice, "dropped-renamed.txt");
    // renaming onto a folder's name is refused: it never moves the file into that folder
    rowAction(alice, "dropped-renamed.txt", "rename");
    alice.type("prompt-input", "Projects");
    alice.visible("prompt-input").sendKeys(Keys.ENTER);
    alice.await(ExpectedConditions.textToBePresentInElementLocated(test("prompt-error"), "already exists"));
    alice.click("prompt-cancel");
    row(alice, "dropped-renamed.txt");

    rowAction(alice, "plan.md", "move");
    alice.visible("dialog-move");
    alice.click(By.cssSelector("[data-test='move-folder'][data-name='Projects']"));
    alice.await(ExpectedConditions.textToBePresentInElementLocated(test("move-breadcrumbs"), "Projects"));
    snap(alice, "move");
    alice.click("move-here");
    alice.gone("dialog-move");
    rowGone(alice, "plan.md");
    openRow(alice, "Projects");
    alice.await(d -> crumbs(alice).equals(List.of("My files", "Projects")));
    row(alice, "plan.md");
    alice.click(By.xpath("//*[@data-test='breadcrumbs']//button[.='My files']"));
    row(alice, "Scratch");

    rowAction(alice, "photo.jpg", "delete");
    assertThat(text(alice, "confirm-message")).contains("photo.jpg").contains("cannot be undone");
    snap(alice, "delete-confirm");
    alice.click("confirm-ok");
    rowGone(alice, "photo.jpg");

    rowAction(alice, "Scratch", "delete");
    assertThat(text(alice, "confirm-message")).contains("Scratch").contains("everything in it");
    alice.click("confirm-ok");
    rowGone(alice, "Scratch");
    assertThat(rowNames(alice)).containsExactly("Projects", "dropped-renamed.txt", "holiday-video.mp4", "notes.txt");
  }

  void downloadIsTheSameBytes() throws Exception {
    // a file that is not text opens as an offer to download it
    openRow(alice, "holiday-video.mp4");
    alice.visible("dialog-download");
    assertThat(text(alice, "download-message")).contains("holiday-video.mp4");
    snap(alice, "download-offer");
    alice.click("download-ok");
    alice.gone("dialog-download");
    Path file = alice.downloads().resolve("holiday-video.mp4");
    alice.await(
        "the download to finish",
        d -> {
          try {
            return Files.isRegularFile(file) && Files.size(file) == video.length;
          } catch (IOException e) {
            return false;
          }
        });
    assertThat(Files.readAllBytes(file)).isEqualTo(video);
  }

  void shareRead() {
    rowAction(alice, "notes.txt", "share");
    alice.type("share-user", "bob");
    new Select(alice.visible("share-mode")).selectByValue("READ");
    alice.click("share-submit");
    WebElement grant = alice.visible(By.cssSelector("[data-test='grant'][data-user='bob']"));
    assertThat(text(grant, "grant-mode")).isEqualTo("READ");
    snap(alice, "share");
    alice.click("share-done");
    alice.gone("dialog-share");
    alice.await(d -> !row(alice, "notes.txt").findElements(test("shared-badge")).isEmpty());
    snap(alice, "shared-marker");

    bob.click("nav-shared");
    WebElement fromAlice = bob.visible(By.cssSelector("[data-test='shared-owner'][data-owner='alice']"));
    WebElement item = fromAlice.findElement(By.cssSelector("[data-test='row'][data-name='notes.txt']"));
    assertThat(text(item, "mode-badge")).isEqualTo("READ");
    snap(bob, "shared-with-me");
    item.findElement(test("row-open")).click();
    bob.await(ExpectedConditions.textToBe(test("editor-name"), "notes.txt"));
    assertThat(bob.visible("editor-readonly").getText()).isEqualTo("Read only (shared by alice)");
    assertThat(editorText(bob)).isEqualTo("Meeting moved to Wednesday.\n");
    assertThat(bob.driver().findElement(test("editor-save")).isDisplayed()).as("no Save on a READ share").isFalse();
    assertThat(bob.driver().findElement(test("editor-text")).getDomProperty("readOnly")).isEqualTo("true");
    snap(bob, "read-only");
    bob.click("editor-close");
    bob.visible("shared-view");
  }

  void shareWrite() {
    // a folder shared READ: bob can look inside but finds nothing to change things with
    rowAction(alice, "Projects", "share");
    alice.type("share-user", "bob");
    new Select(alice.visible("share-mode")).selectByValue("READ");
    alice.click("share-submit");
    alice.await(ExpectedConditions.textToBe(By.cssSelector("[data-test='grant'][data-user='bob'] [data-test='grant-mode']"), "READ"));
    alice.click("share-done");
    alice.gone("dialog-share");
    bob.click("nav-shared");
    bob.click(By.cssSelector("[data-test='shared-owner'][data-owner='alice'] [data-test='row'][data-name='Projects'] [data-test='row-open']"));
    bob.await(ExpectedConditions.textToBe(test("folder-note"), "Read only (shared by alice)"));
    row(bob, "plan.md");
    for (String action : List.of("new-folder", "new-file", "upload")) {
      assertThat(bob.driver().findElement(test(action)).isDisplayed()).as(action + " in a READ folder").isFalse();
    }
    bob.click(By.cssSelector("#file-list [data-test='row'][data-name='plan.md'] [data-test='row-menu']"));
    bob.visible(By.cssSelector("#row-menu [data-test='action-download']"));
    assertThat(bob.driver().findElements(By.cssSelector("#row-menu [data-test^='action-']")).stream().map(e -> e.getDomAttribute("data-test")))
        .containsExactly("action-open", "action-download");
    snap(bob, "read-only-folder");
    new Actions(bob.driver()).sendKeys(Keys.ESCAPE).perform();
    bob.gone(By.cssSelector("#row-menu [data-test='action-download']"));

    // the same grant raised to WRITE
    rowAction(alice, "Projects", "share");
    alice.visible(By.cssSelector("[data-test='grant'][data-user='bob']"));
    alice.type("share-user", "bob");
    new Select(alice.visible("share-mode")).selectByValue("WRITE");
    alice.click("share-submit");
    alice.await(ExpectedConditions.textToBe(By.cssSelector("[data-test='grant'][data-user='bob'] [data-test='grant-mode']"), "WRITE"));
    alice.click("share-done");
    alice.gone("dialog-share");

    bob.click("nav-shared");
    WebElement item = bob.visible(By.cssSelector("[data-test='shared-owner'][data-owner='alice'] [data-test='row'][data-name='Projects']"));
    assertThat(text(item, "mode-badge")).isEqualTo("WRITE");
    item.findElement(test("row-open")).click();
    bob.await(d -> crumbs(bob).equals(List.of("Shared with me", "alice", "Projects")));
    snap(bob, "shared-folder");
    openRow(bob, "plan.md");
    bob.await(ExpectedConditions.textToBe(test("editor-name"), "plan.md"));
    assertThat(bob.driver().findElement(test("editor-readonly")).isDisplayed()).isFalse();
    typeInEditor(bob, "# Plan\n\n- ship the web app\n- bob: tests too\n");
    bob.click("editor-save");
    saved(bob);
    snap(bob, "bob-edits");

    // alice opens the file afresh and sees bob's text
    openRow(alice, "Projects");
    openRow(alice, "plan.md");
    alice.await(ExpectedConditions.textToBe(test("editor-name"), "plan.md"));
    assertThat(editorText(alice)).isEqualTo("# Plan\n\n- ship the web app\n- bob: tests too\n");
  }

  void versionConflict() {
    // both have plan.md open at the same version; alice saves first
    typeInEditor(alice, "alice was here first\n");
    alice.click("editor-save");
    saved(alice);

    typeInEditor(bob, "bob keeps his version\n");
    bob.click("editor-save");
    bob.visible("dialog-conflict");
    assertThat(text(bob, "conflict-message"))
        .isEqualTo("Someone else saved a newer version of plan.md while you were editing.");
    snap(bob, "conflict");
    bob.click("conflict-keep");
    bob.gone("dialog-conflict");
    saved(bob);

    // alice's next save meets bob's; she reloads and sees his text
    typeInEditor(alice, "alice tries again\n");
    alice.click("editor-save");
    alice.visible("dialog-conflict");
    alice.click("conflict-reload");
    alice.gone("dialog-conflict");
    alice.await(d -> editorText(alice).equals("bob keeps his version\n"));
    alice.gone("editor-dirty");
    alice.click("editor-close");
    alice.visible("files-view");
    bob.click("editor-close");
    bob.visible("files-view");
  }

  void keyboardOnly() {
    alice.click(By.xpath("//*[@data-test='breadcrumbs']//button[.='My files']"));
    row(alice, "notes.txt");
    alice.js("document.activeElement.blur();");
    // Tab from the top of the page to the row, Enter opens it
    Actions keys = new Actions(alice.driver());
    for (int i = 0; i < 40 && !focusedRowOpen(alice, "notes.txt"); i++) {
      keys.sendKeys(Keys.TAB).perform();
    }
    assertThat(focusedRowOpen(alice, "notes.txt")).as("Tab reaches the row of notes.txt").isTrue();
    snap(alice, "keyboard-focus");
    keys.sendKeys(Keys.ENTER).perform();
    alice.await(ExpectedConditions.textToBe(test("editor-name"), "notes.txt"));
    alice.click("editor-close");
    alice.await(d -> focusedRowOpen(alice, "notes.txt"));

    // the row's menu: Tab to it, Enter opens, arrows move, Enter picks; Esc closes the dialog
    keys.sendKeys(Keys.TAB).perform();
    keys.sendKeys(Keys.ENTER).perform();
    alice.visible(By.cssSelector("#row-menu [data-test='action-open']"));
    keys.sendKeys(Keys.ARROW_DOWN).sendKeys(Keys.ARROW_DOWN).perform();
    assertThat(alice.js("return document.activeElement.dataset.test")).isEqualTo("action-rename");
    keys.sendKeys(Keys.ENTER).perform();
    alice.visible("dialog-prompt");
    assertThat(alice.js("return document.activeElement.dataset.test")).isEqualTo("prompt-input");
    keys.sendKeys(Keys.ESCAPE).perform();
    alice.gone("dialog-prompt");
    assertThat(alice.js("return document.activeElement.closest('[data-test=row]')?.dataset.name"))
        .as("focus goes back to the row")
        .isEqualTo("notes.txt");
  }

  void revoke() {
    rowAction(alice, "notes.txt", "share");
    WebElement grant = alice.visible(By.cssSelector("[data-test='grant'][data-user='bob']"));
    grant.findElement(test("revoke")).click();
    alice.visible("grants-empty");
    alice.click("share-done");
    alice.await(d -> row(alice, "notes.txt").findElements(test("shared-badge")).isEmpty());

    bob.click("nav-shared");
    bob.visible(By.cssSelector("[data-test='shared-owner'][data-owner='alice'] [data-test='row'][data-name='Projects']"));
    assertThat(bob.driver().findElements(By.cssSelector("[data-test='row'][data-name='notes.txt']"))).isEmpty();
    snap(bob, "after-revoke");
  }

  void phoneWidth() {
    alice.resize(390, 844);
    row(alice, "notes.txt");
    snap(alice, "phone-files");
    openRow(alice, "notes.txt");
    alice.visible("editor");
    snap(alice, "phone-editor");
    alice.click("editor-close");
    alice.resize(1280, 900);
  }

  void logOutAndIn() {
    alice.click("logout");
    alice.visible("auth-screen");
    assertThat(text(alice, "auth-title")).isEqualTo("Log in");
    alice.type("auth-username", "alice");
    alice.type("auth-password", "not the password");
    alice.click("auth-submit");
    assertThat(alice.visible("auth-error").getText()).isNotBlank();
    snap(alice, "login-failed");
    alice.type("auth-password", ALICE_PASSWORD);
    alice.click("auth-submit");
    alice.await(ExpectedConditions.textToBe(test("current-user"), "alice"));
    row(alice, "Projects");
    alice.click("logout");
    alice.visible("auth-screen");
    assertThat(text(alice, "auth-title")).isEqualTo("Log in");
  }

  void serverDown() {
    server.close();
    alice.type("auth-username", "alice");
    alice.type("auth-password", ALICE_PASSWORD);
    alice.click("auth-submit");
    alice.await(ExpectedConditions.textToBePresentInElementLocated(test("auth-error"), "server is not answering"));
    snap(alice, "server-down");
  }

  // ------------------------------------------------------------------------------------------

  void snap(Browser b, String label) {
    b.screenshot(String.format("%02d-%s-%s", ++shot, b.name(), label));
  }

  static String text(Browser b, String test) {
    return b.visible(test).getText();
  }

  static String text(WebElement in, String test) {
    return in.findElement(test(test)).getText();
  }

  static By rowBy(String name) {
    return By.cssSelector("#file-list [data-test='row'][data-name='" + name + "']");
  }

  static WebElement row(Browser b, String name) {
    return b.visible(rowBy(name));
  }

  static void rowGone(Browser b, String name) {
    b.await(ExpectedConditions.numberOfElementsToBe(rowBy(name), 0));
  }

  static List<String> rowNames(Browser b) {
    return b.driver().findElements(By.cssSelector("#file-list [data-test='row']")).stream().map(e -> e.getDomAttribute("data-name")).toList();
  }

  static void openRow(Browser b, String name) {
    b.click(By.cssSelector("#file-list [data-test='row'][data-name='" + name + "'] [data-test='row-open']"));
  }

  static void rowAction(Browser b, String name, String action) {
    b.click(By.cssSelector("#file-list [data-test='row'][data-name='" + name + "'] [data-test='row-menu']"));
    b.click(By.cssSelector("#row-menu [data-test='action-" + action + "']"));
  }

  @SuppressWarnings("unchecked")
  static List<String> crumbs(Browser b) {
    return (List<String>) b.js("return [...document.querySelectorAll('#crumbs [data-test=crumb]')].map((c) => c.textContent);");
  }

  static boolean focusedRowOpen(Browser b, String name) {
    return Boolean.TRUE.equals(
        b.js(
            "const a = document.activeElement;"
                + "return a?.dataset.test === 'row-open' && a.closest('[data-test=row]').dataset.name === arguments[0];",
            name));
  }

  static void newFolder(Browser b, String name) {
    b.click("new-folder");
    b.type("prompt-input", name);
    b.visible("prompt-input").sendKeys(Keys.ENTER);
    b.gone("dialog-prompt");
    row(b, name);
  }

  static void uploaded(Browser b, String name) {
    b.await(
        "the upload of " + name,
        ExpectedConditions.textToBe(By.cssSelector("[data-test='upload-item'][data-name='" + name + "'] [data-test='upload-status']"), "Done"));
  }

  static String editorText(Browser b) {
    return b.visible("editor-text").getDomProperty("value");
  }

  /** Replaces the editor's text by typing, as a person would (select all, type). */
  static void typeInEditor(Browser b, String text) {
    WebElement area = b.visible("editor-text");
    area.sendKeys(Keys.chord(Keys.CONTROL, "a"));
    area.sendKeys(text);
    b.await(d -> editorText(b).equals(text));
  }

  static void saved(Browser b) {
    b.gone("editor-dirty");
    b.await(ExpectedConditions.textToBe(test("editor-state"), "Saved"));
  }
}
