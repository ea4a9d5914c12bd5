package io.edfs.cli;

import io.edfs.client.EdfsException;
import io.edfs.client.EdfsException.Reason;
import io.edfs.client.Entry;
import io.edfs.client.FileMeta;
import io.edfs.client.Progress;
import io.edfs.client.Session;
import io.edfs.client.Session.Child;
import io.edfs.client.Session.Folder;
import io.edfs.client.Session.NewFile;
import io.edfs.protocol.CreateBatchRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code put -r} and {@code get -r}: whole trees, with up to {@code transfers} files, folders and
 * listings in flight at once, one progress line for all of them, a summary, and every failure
 * named without stopping the others.
 *
 * <p>Folders are resolved once ({@link Session.Folder}) and each file is one request in its
 * folder, so a tree of small files costs about one round trip a file, {@code transfers} at a time.
 */
final class TreeTransfer implements AutoCloseable {
  private final Cli cli;
  private final Session session;
  private final ExecutorService pool;
  private final TreeProgress progress;
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger folders = new AtomicInteger();
  private final AtomicInteger unchanged = new AtomicInteger();
  private final AtomicInteger deleted = new AtomicInteger();
  /** Files below a folder that could not be created: its one failure line speaks for them. */
  private final AtomicInteger notSent = new AtomicInteger();
  /** Sync's options: only print the plan; compare contents by SHA-256 rather than size and time. */
  private boolean dryRun;
  private boolean checksum;

  TreeTransfer(Cli cli, Session session, int transfers, String verb) {
    if (transfers < 1 || transfers > 64) {
      throw new EdfsException(Reason.BAD_REQUEST, "--transfers " + transfers + " not in 1..64");
    }
    this.cli = cli;
    this.session = session;
    this.pool = Executors.newFixedThreadPool(transfers, Thread.ofPlatform().daemon().name("transfer-", 1).factory());
    this.progress = TreeProgress.start(cli, verb);
  }

  // ---- put -r ----

  /** Copies what is in the local folder {@code root} into the remote folder {@code remote} (created if missing). */
  int upload(Path given, String remote) {
    requireLocalFolder(given);
    Path root = realPath(given); // a link to a folder stands for the folder

    List<Path> dirs = new ArrayList<>();
    List<LocalFile> files = new ArrayList<>();
    scan(root, dirs, files);
    Map<Path, CompletableFuture<Folder>> remoteOf = new HashMap<>();
    remoteOf.put(root, CompletableFuture.supplyAsync(() -> session.folder(remote, true), pool));
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (Path dir : dirs) {
      CompletableFuture<Folder> parentFolder = remoteOf.get(dir.getParent());
      CompletableFuture<Folder> f = parentFolder.thenApplyAsync(parent -> parent.mkdir(name(dir)), pool);
      remoteOf.put(dir, f);
      all.add(f.handle((folder, e) -> {
        if (e == null) {
          return counted(folders);
        }
        return parentFolder.isCompletedExceptionally() ? null : failed(dir, e, true);
      }));
    }
    for (List<LocalFile> batch : batches(files)) {
      all.add(
          remoteOf.get(batch.get(0).path().getParent())
              .thenAcceptAsync(parent -> putAll(parent, batch), pool)
              .handle((ok, e) -> {
                if (e != null && remoteOf.get(batch.get(0).path().getParent()).isCompletedExceptionally()) {
                  notSent.addAndGet(batch.size()); // its folder's failure is told once
                } else if (e != null) {
                  batch.forEach(f -> failed(f.path(), e, false));
                }
                return null;
              }));
    }
    all.add(remoteOf.get(root).handle((f, e) -> e == null ? null : failed(root, e, true)));
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    return finish("put");
  }

  /** Lists the tree below {@code root}: folders before what they hold; symbolic links are skipped and said. */
  private void scan(Path root, List<Path> dirs, List<LocalFile> files) {
    long[] bytes = {0};
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (!dir.equals(root)) {
                dirs.add(dir);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile()) {
                files.add(new LocalFile(file, attrs.size()));
                bytes[0] += attrs.size();
              } else {
                cli.err.println("edfs: local " + file + ": skipped (" + (attrs.isSymbolicLink() ? "a symbolic link" : "not a regular file") + ")");
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              failures.add("local " + file + ": cannot read (" + e.getMessage() + ")");
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read local " + root, e);
    }
    progress.addTotal(files.size(), bytes[0]);
  }

  /** A local file to upload, with its size when the tree was read. */
  private record LocalFile(Path path, long size) {}

  /**
   * The files in groups that each go up as one task: small files of one folder together (as many
   * as one batch request takes), every other file alone.
   */
  private static List<List<LocalFile>> batches(List<LocalFile> files) {
    List<List<LocalFile>> out = new ArrayList<>();
    Map<Path, List<LocalFile>> open = new HashMap<>();
    Map<Path, Long> openBytes = new HashMap<>();
    for (LocalFile f : files) {
      if (f.size() > Session.SMALL_FILE_BYTES) {
        out.add(List.of(f));
        continue;
      }
      Path dir = f.path().getParent();
      List<LocalFile> batch = open.get(dir);
      // the batch's ciphertext: each file's content plus its encryption's overhead
      long bytes = f.size() + 1024;
      if (batch == null
          || batch.size() == CreateBatchRequest.MAX_NODES
          || openBytes.get(dir) + bytes > CreateBatchRequest.MAX_INLINE_TOTAL) {
        batch = new ArrayList<>();
        open.put(dir, batch);
        openBytes.put(dir, 0L);
        out.add(batch);
      }
      batch.add(f);
      openBytes.merge(dir, bytes, Long::sum);
    }
    return out;
  }

  /**
   * Uploads {@code batch}: one file alone, or small files in one request. When the batch cannot
   * be created whole (a name exists already, say), each file goes up alone, so that each gets its
   * own outcome: a new version of an existing file, or its own error.
   */
  private void putAll(Folder parent, List<LocalFile> batch) {
    if (batch.size() > 1) {
      List<NewFile> contents = new ArrayList<>(batch.size());
      long bytes = 0;
      try {
        for (LocalFile f : batch) {
          byte[] content = Files.readAllBytes(f.path());
          contents.add(new NewFile(name(f.path()), content, Optional.of(Files.getLastModifiedTime(f.path()).toInstant())));
          bytes += content.length;
        }
      } catch (IOException | RuntimeException e) {
        contents = null; // one file's problem is told when it goes up alone below
      }
      if (contents != null) {
        try {
          List<Entry> created = parent.createAll(contents);
          progress.advance(bytes);
          for (int i = 0; i < batch.size(); i++) {
            progress.fileDone();
            verbose("put " + batch.get(i).path() + " -> " + child(parent, created.get(i).name()));
          }
          return;
        } catch (RuntimeException e) {
          // each file on its own below, with its own outcome
        }
      }
    }
    for (LocalFile f : batch) {
      try {
        put(parent, f.path());
      } catch (RuntimeException e) {
        failed(f.path(), e, false);
      }
    }
  }

  private static String child(Folder parent, String name) {
    return parent.path() + (parent.path().endsWith("/") ? "" : "/") + name;
  }

  private void put(Folder parent, Path file) {
    FileProgress p = new FileProgress(progress);
    try (InputStream in = Files.newInputStream(file)) {
      Entry e = parent.write(name(file), in, p, Files.getLastModifiedTime(file).toInstant());
      progress.fileDone();
      verbose("put " + file + " -> " + child(parent, e.name()));
    } catch (IOException e) {
      p.undo();
      throw new UncheckedIOException("cannot read", e);
    } catch (RuntimeException e) {
      p.undo();
      throw e;
    }
  }

  // ---- get -r ----

  /**
   * Copies what is in the remote folder {@code remote} into the local folder {@code root} (created
   * if missing). A local file that is already there with the remote size and modification time is
   * left as it is (so running the same command again fetches only what is missing); any other
   * existing file is refused unless {@code force}.
   */
  int download(String remote, Path root, boolean force) {
    Folder top = session.folder(remote, false);
    createLocalFolder(root);
    return runAll("get", pending -> walk(top, root, force, pending));
  }

  private void walk(Folder folder, Path dir, boolean force, Pending pending) {
    Optional<List<Child>> listed = list(folder);
    if (listed.isEmpty()) {
      return;
    }
    List<Child> children = listed.get();
    long bytes = 0;
    int files = 0;
    for (Child c : children) {
      if (!c.readable()) {
        failures.add("remote " + folder.path() + ": an entry failed its integrity check (its name or key was tampered with)");
      } else if (!c.entry().isFolder()) {
        files++;
        bytes += c.entry().size();
      }
    }
    progress.addTotal(files, bytes);
    for (Child c : children) {
      if (!c.readable()) {
        continue;
      }
      Path target = localChild(dir, c.entry().name());
      if (c.entry().isFolder()) {
        submit(pending, () -> {
          if (Files.isSymbolicLink(target)) {
            failures.add("local " + target + ": a symbolic link; not followed");
            return;
          }
          try {
            Files.createDirectories(target);
            counted(folders);
          } catch (IOException e) {
            failures.add("local " + target + ": cannot create folder (" + e.getMessage() + ")");
            return;
          }
          walk(c.folder(), target, force, pending);
        });
      } else {
        submit(pending, () -> fetch(c, target, force));
      }
    }
  }

  private void fetch(Child c, Path target, boolean force) {
    Entry e = c.entry();
    try {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
            && Files.size(target) == e.size()
            && Files.getLastModifiedTime(target).toMillis() == e.mtime().toEpochMilli()
            && !checksum) {
          unchanged.incrementAndGet();
          progress.skip(e.size());
          return;
        }
        if (!force || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
          progress.skip(e.size());
          failures.add("local " + target + ": exists" + (force ? " and is not a regular file" : "; use --force to replace it"));
          return;
        }
      }
      FileProgress p = new FileProgress(progress);
      Path part = LocalFiles.newPart(target.toAbsolutePath().getParent(), target);
      try {
        Entry got;
        try (OutputStream out = Files.newOutputStream(part)) {
          got = c.read(out, p);
        }
        // the file's own time (as recorded by its writer, else the upload's), which is also how
        // running the same command again knows this file is complete
        Files.setLastModifiedTime(part, FileTime.from(got.mtime()));
        LocalFiles.place(part, target, force);
      } catch (IOException | RuntimeException x) {
        p.undo();
        throw x;
      } finally {
        LocalFiles.deleteQuietly(part);
      }
      progress.fileDone();
      verbose("get " + c.path() + " -> " + target);
    } catch (IOException x) {
      failed(target, new UncheckedIOException(x.getMessage(), x), false);
    } catch (RuntimeException x) {
      failed(c.path(), x, false);
    }
  }

  /** {@code dir/name}, refusing a name that would leave {@code dir} (no edfs name can, but the check is cheap). */
  private static Path localChild(Path dir, String name) {
    Path p = dir.resolve(name);
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || !dir.equals(p.getParent())) {
      throw new EdfsException(Reason.TAMPERED, "remote name '" + name + "' is not a file name");
    }
    return p;
  }


  // ---- sync ----

  /** What sync compares: a file's size, its own modification time, and (with --checksum) its SHA-256. */
  private record Seen(long size, long mtimeMillis, Optional<String> sha256) {}

  /**
   * Makes the remote folder {@code remote} hold what the local folder {@code root} holds: files
   * that are missing or differ (size and modification time, or content with {@code checksum}) go
   * up, folders are created, and with {@code delete} what the local side no longer has is deleted
   * remotely. With {@code dryRun} nothing changes; the plan is printed.
   */
  int syncUp(Path given, String remote, boolean delete, boolean dryRun, boolean checksum) {
    this.dryRun = dryRun;
    this.checksum = checksum;
    requireLocalFolder(given);
    Path root = realPath(given);
    Optional<Folder> top = dryRun ? existingFolder(remote) : Optional.of(session.folder(remote, true));
    return runAll("sync", pending -> syncUp(root, top, remote, delete, pending));
  }

  private void syncUp(Path dir, Optional<Folder> folder, String remotePath, boolean delete, Pending pending) {
    Map<String, Child> remote = new HashMap<>();
    boolean complete = true; // whether every remote entry could be read: else nothing is deleted here
    if (folder.isPresent()) {
      try {
        for (Child c : folder.get().list()) {
          if (c.readable()) {
            remote.put(c.entry().name(), c);
          } else {
            complete = false;
            failures.add("remote " + remotePath + ": an entry failed its integrity check (its name or key was tampered with)");
          }
        }
      } catch (RuntimeException e) {
        failed(remotePath, e, true);
        return;
      }
    }
    List<Path> locals;
    try (var list = Files.list(dir)) {
      locals = list.sorted().toList();
    } catch (IOException e) {
      failures.add("local " + dir + ": cannot read (" + e.getMessage() + ")");
      return;
    }
    List<LocalFile> toPut = new ArrayList<>();
    List<LocalFile> changed = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Path p : locals) {
      String name = nfc(name(p));
      seen.add(name);
      String rpath = child(remotePath, name);
      Child r = remote.get(name);
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) {
          if (r != null && !r.entry().isFolder()) {
            if (!delete) {
              failures.add("remote " + rpath + ": is a file where the local side has a folder (--delete replaces it)");
              continue;
            }
            remove(r, rpath);
            r = null;
          }
          if (r == null) {
            plan("mkdir " + rpath);
            counted(folders);
          }
          Child existing = r;
          Optional<Folder> parent = folder;
          submit(pending, () -> {
            Optional<Folder> sub = existing != null
                ? Optional.of(existing.folder())
                : dryRun ? Optional.empty() : Optional.of(parent.orElseThrow().mkdir(name));
            syncUp(p, sub, rpath, delete, pending);
          });
        } else if (a.isRegularFile()) {
          if (r != null && r.entry().isFolder()) {
            if (!delete) {
              failures.add("remote " + rpath + ": is a folder where the local side has a file (--delete replaces it)");
              continue;
            }
            remove(r, rpath);
            r = null;
          }
          LocalFile f = new LocalFile(p, a.size());
          if (r != null && same(seenLocal(p, a), seenRemote(r.entry()))) {
            unchanged.incrementAndGet();
            continue;
          }
          progress.addTotal(1, a.size());
          plan("put " + p + " -> " + rpath);
          if (r == null) {
            toPut.add(f); // new: may share a batch
          } else {
            changed.add(f); // a new version of an existing file: one by one
          }
        } else {
          cli.err.println("edfs: local " + p + ": skipped (" + (a.isSymbolicLink() ? "a symbolic link" : "not a regular file") + ")");
        }
      } catch (IOException e) {
        failures.add("local " + p + ": cannot read (" + e.getMessage() + ")");
      } catch (RuntimeException e) {
        failed(p, e, false);
      }
    }
    if (delete && complete) {
      for (Child r : remote.values()) {
        if (!seen.contains(r.entry().name())) {
          remove(r, child(remotePath, r.entry().name()));
        }
      }
    }
    if (!dryRun && !(toPut.isEmpty() && changed.isEmpty())) {
      Folder parent = folder.orElseThrow();
      for (List<LocalFile> batch : batches(toPut)) {
        submit(pending, () -> putAll(parent, batch));
      }
      for (LocalFile f : changed) {
        submit(pending, () -> putAll(parent, List.of(f)));
      }
    }
  }

  /**
   * Makes the local folder {@code root} hold what the remote folder {@code remote} holds: the
   * reverse of {@link #syncUp}, deleting local files and folders with {@code delete}.
   */
  int syncDown(String remote, Path root, boolean delete, boolean dryRun, boolean checksum) {
    this.dryRun = dryRun;
    this.checksum = checksum;
    Folder top = session.folder(remote, false);
    if (!dryRun) {
      createLocalFolder(root);
    }
    return runAll("sync", pending -> syncDown(top, root, delete, pending));
  }

  private void syncDown(Folder folder, Path dir, boolean delete, Pending pending) {
    Optional<List<Child>> listed = list(folder);
    if (listed.isEmpty()) {
      return;
    }
    List<Child> children = listed.get();
    Set<String> names = new HashSet<>();
    boolean complete = true;
    for (Child c : children) {
      if (!c.readable()) {
        complete = false; // its local namesake must not be deleted as "not on the remote side"
        failures.add("remote " + folder.path() + ": an entry failed its integrity check (its name or key was tampered with)");
        continue;
      }
      String name = c.entry().name();
      names.add(name);
      Path target;
      try {
        target = localChild(dir, name);
      } catch (RuntimeException e) {
        failed(c.path(), e, false);
        continue;
      }
      try {
        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (c.entry().isFolder()) {
          if (exists && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!delete) {
              failures.add("local " + target + ": is a file where the remote side has a folder (--delete replaces it)");
              continue;
            }
            removeLocal(target);
            exists = false;
          }
          if (!exists) {
            plan("mkdir " + target);
            counted(folders);
            if (!dryRun) {
              Files.createDirectories(target);
            }
          }
          if (!dryRun || exists) {
            submit(pending, () -> syncDown(c.folder(), target, delete, pending));
          }
        } else {
          if (exists && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!delete) {
              failures.add("local " + target + ": is a folder where the remote side has a file (--delete replaces it)");
              continue;
            }
            removeLocal(target);
            exists = false;
          }
          if (exists) {
            BasicFileAttributes a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isRegularFile() && same(seenLocal(target, a), seenRemote(c.entry()))) {
              unchanged.incrementAndGet();
              continue;
            }
          }
          plan("get " + c.path() + " -> " + target);
          progress.addTotal(1, c.entry().size());
          if (!dryRun) {
            submit(pending, () -> fetch(c, target, true));
          }
        }
      } catch (IOException e) {
        failures.add("local " + target + ": " + e.getMessage());
      }
    }
    if (delete && complete && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      try (var list = Files.list(dir)) {
        for (Path p : list.toList()) {
          String n = nfc(name(p));
          if (!names.contains(n) && !n.endsWith(".edfs-part")) {
            removeLocal(p);
          }
        }
      } catch (IOException e) {
        failures.add("local " + dir + ": cannot read (" + e.getMessage() + ")");
      }
    }
  }

  private Optional<Folder> existingFolder(String remote) {
    try {
      return Optional.of(session.folder(remote, false));
    } catch (EdfsException e) {
      if (e.reason() == Reason.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private Seen seenLocal(Path p, BasicFileAttributes a) throws IOException {
    Optional<String> sha = Optional.empty();
    if (checksum) {
      try (InputStream in = Files.newInputStream(p)) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[256 * 1024];
        for (int n; (n = in.read(buf)) != -1; ) {
          md.update(buf, 0, n);
        }
        sha = Optional.of(HexFormat.of().formatHex(md.digest()));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    return new Seen(a.size(), a.lastModifiedTime().toMillis(), sha);
  }

  private static Seen seenRemote(Entry e) {
    return new Seen(e.size(), e.mtime().toEpochMilli(), e.meta().flatMap(FileMeta::sha256));
  }

  /** By content when comparing checksums (a version without a recorded hash differs), else by size and time. */
  private boolean same(Seen local, Seen remote) {
    if (local.size() != remote.size()) {
      return false;
    }
    return checksum ? remote.sha256().isPresent() && remote.sha256().equals(local.sha256()) : local.mtimeMillis() == remote.mtimeMillis();
  }

  private void remove(Child r, String rpath) {
    plan("delete " + rpath + (r.entry().isFolder() ? "/" : ""));
    if (!dryRun) {
      try {
        session.delete(rpath, true);
      } catch (RuntimeException e) {
        failed(rpath, e, false);
        return;
      }
    }
    deleted.incrementAndGet();
  }

  private void removeLocal(Path p) {
    plan("delete " + p + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : ""));
    if (dryRun) {
      deleted.incrementAndGet();
      return;
    }
    try (var all = Files.walk(p)) {
      for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
      deleted.incrementAndGet();
    } catch (IOException | UncheckedIOException e) {
      failures.add("local " + p + ": cannot delete (" + e.getMessage() + ")");
    }
  }

  /** A line of the plan: printed with --dry-run (that is all it does) or -v. */
  private void plan(String line) {
    if (dryRun) {
      synchronized (cli.out) {
        cli.out.println(line);
      }
    } else {
      verbose(line);
    }
  }

  private static String child(String folder, String name) {
    return folder + (folder.endsWith("/") ? "" : "/") + name;
  }

  // ---- bookkeeping ----

  private static void requireLocalFolder(Path root) {
    if (!Files.isDirectory(root)) {
      throw Files.exists(root)
          ? new LocalPathException(Reason.NOT_A_FOLDER, root, "not a folder")
          : new LocalPathException(Reason.NOT_FOUND, root, "no such folder");
    }
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read local " + p, e);
    }
  }

  /** File names as edfs keeps them (NFC): a name decomposed on disk is the same name. */
  private static String nfc(String name) {
    return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFC);
  }

  private static void createLocalFolder(Path root) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create local folder " + root, e);
    }
  }

  /** Runs {@code first} and every task it submits, then prints the outcome; the exit code. */
  private int runAll(String verb, Consumer<Pending> first) {
    Pending pending = new Pending();
    submit(pending, () -> first.accept(pending));
    pending.await();
    return finish(verb);
  }

  /** The folder's children, or empty (the failure recorded) when it cannot be listed. */
  private Optional<List<Child>> list(Folder folder) {
    try {
      return Optional.of(folder.list());
    } catch (RuntimeException e) {
      failed(folder.path(), e, true);
      return Optional.empty();
    }
  }

  private void submit(Pending pending, Runnable task) {
    pending.add();
    pool.execute(() -> {
      try {
        task.run();
      } catch (Throwable e) {
        // recorded, whatever it is: a task that died quietly would leave a subtree out unsaid
        failures.add(e instanceof Exception x ? message(x) : e.toString());
      } finally {
        pending.done();
      }
    });
  }

  private Void failed(Object what, Throwable e, boolean folder) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    String side = what instanceof Path ? "local " : "remote ";
    String msg = message(cause);
    // the client's messages often start with the remote path already
    failures.add(msg.startsWith(what + ": ") ? side + msg : side + what + ": " + (folder ? "folder: " : "") + msg);
    return null;
  }

  private static String message(Throwable e) {
    return e instanceof Exception x ? Main.message(x, "") : e.toString();
  }

  private static Void counted(AtomicInteger counter) {
    counter.incrementAndGet();
    return null;
  }

  private void verbose(String line) {
    if (cli.verbose) {
      synchronized (cli.out) {
        cli.out.println(line);
      }
    }
  }

  /** Prints each failure and the summary; the exit code: 0, or 1 when anything failed. */
  private int finish(String verb) {
    progress.stop();
    for (String f : failures) {
      cli.err.println("edfs: " + f);
    }
    if (notSent.get() > 0) {
      cli.err.println("edfs: " + notSent.get() + " file(s) in the folder(s) above were not sent");
    }
    if (!cli.quiet) {
      double secs = progress.seconds();
      cli.out.printf(
          Locale.ROOT,
          "%s%s: %,d file(s) (%s) and %,d folder(s) in %.2f s (%s/s)%s%s, %,d failed%n",
          verb,
          dryRun ? " (dry run: nothing was changed; it would copy)" : "",
          dryRun ? progress.filesTotal() : progress.filesDone(),
          FileCommands.human(dryRun ? progress.bytesTotal() : progress.bytesDone()),
          folders.get(),
          secs,
          FileCommands.human((long) (progress.bytesDone() / Math.max(secs, 1e-3))),
          unchanged.get() > 0 ? ", " + unchanged.get() + " unchanged" : "",
          deleted.get() > 0 ? ", " + deleted.get() + " deleted" : "",
          failures.size() + notSent.get());
    }
    return failures.isEmpty() && notSent.get() == 0 ? 0 : 1;
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  @Override
  public void close() {
    progress.stop();
    pool.shutdownNow();
  }

  /** Counts tasks submitted and not finished; a task may submit more before it finishes. */
  private static final class Pending {
    private int count;

    synchronized void add() {
      count++;
    }

    synchronized void done() {
      if (--count == 0) {
        notifyAll();
      }
    }

    synchronized void await() {
      while (count > 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EdfsException(Reason.IO, "interrupted");
        }
      }
    }
  }

  /** One file's share of the overall progress, taken back if the file fails. */
  private static final class FileProgress implements Progress {
    private final TreeProgress all;
    private long bytes;

    FileProgress(TreeProgress all) {
      this.all = all;
    }

    @Override
    public void advance(long n) {
      bytes += n;
      all.advance(n);
    }

    void undo() {
      all.advance(-bytes);
      bytes = 0;
    }
  }
}
