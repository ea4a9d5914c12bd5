package io.edfs.server.internal;

import io.edfs.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the block store a URI names (see {@link ServerConfig#blocks}): {@code file:DIR}, {@code
 * s3://BUCKET[/PREFIX]?endpoint=..} or {@code mirror:URI,URI}. Stores that upload through a
 * {@link Spool} keep it in folder {@code spool} of the data folder.
 */
final class BlockStores {
  private static final Logger LOG = LoggerFactory.getLogger(BlockStores.class);
  static final String EXPECTED =
      "expected file:DIR, s3://BUCKET[/PREFIX]?endpoint=..., or mirror:URI,URI";
  /** A comma that starts a mirror's second side (an s3 URI's parameters may hold commas too). */
  private static final Pattern SIDE = Pattern.compile(",(?=file:|s3://|mirror:)");

  private BlockStores() {}

  /**
   * Opens the store {@code uri} names, or folder {@code blocks} in {@code dataDir} when it is null.
   * Checks that an S3 bucket can be listed (creating it when the URI says {@code
   * create-bucket=true}); a mirror opens with one side unreachable (reads go to the other, puts
   * fail until it is back), but not with a side that is misconfigured.
   *
   * @throws IllegalArgumentException if the URI is malformed or names no known kind of store
   * @throws IOException with a one-line reason if a store cannot be used
   */
  static BlockStore open(String uri, Path dataDir) throws IOException {
    if (uri == null) {
      return new DiskBlockStore(dataDir.resolve("blocks"));
    }
    if (uri.startsWith("mirror:")) {
      List<String> sides = sides(uri.substring("mirror:".length()));
      checkDistinct(sides.get(0), sides.get(1));
      Spool spool = new Spool(dataDir.resolve("spool"));
      BlockStore a = side(sides.get(0), spool);
      BlockStore b = null;
      try {
        b = side(sides.get(1), spool);
        checkSides(a, b);
        return new MirrorBlockStore(a, b, spool);
      } catch (IOException | RuntimeException e) {
        a.close();
        if (b != null) {
          b.close();
        }
        throw e;
      }
    }
    BlockStore store = single(uri, dataDir.resolve("spool"), null);
    if (store instanceof S3BlockStore s3) {
      try {
        s3.check();
      } catch (IOException e) {
        s3.close();
        throw e;
      }
    }
    return store;
  }

  /** The two URIs of a mirror: split at the comma that starts the second one. */
  static List<String> sides(String both) {
    String[] parts = SIDE.split(both, -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException(
          "a mirror block store names two stores, as in mirror:file:/srv/edfs-blocks,s3://edfs-blocks?endpoint=...;"
              + " got "
              + (parts.length < 2 ? "one" : parts.length + " parts"));
    }
    List<String> sides = new ArrayList<>(List.of(parts));
    for (String s : sides) {
      if (s.startsWith("mirror:")) {
        throw new IllegalArgumentException("a mirror's two sides are file: or s3:// stores, not mirrors");
      }
    }
    return sides;
  }

  private static BlockStore side(String uri, Spool spool) throws IOException {
    return single(uri, spool.folder(), spool);
  }

  /**
   * Refuses a mirror whose sides are one store, or one inside the other: it would keep one copy
   * of each block where it promises two.
   */
  static void checkDistinct(String a, String b) {
    boolean overlap;
    if (a.startsWith("file:") && b.startsWith("file:")) {
      Path x = real(folder(a));
      Path y = real(folder(b));
      overlap = x.startsWith(y) || y.startsWith(x);
    } else if (a.startsWith(S3BlockStore.Location.SCHEME) && b.startsWith(S3BlockStore.Location.SCHEME)) {
      S3BlockStore.Location x = S3BlockStore.Location.parse(a);
      S3BlockStore.Location y = S3BlockStore.Location.parse(b);
      overlap =
          x.endpoint().equals(y.endpoint())
              && (x.endpoint().isPresent() || x.region().equals(y.region()))
              && x.bucket().equals(y.bucket())
              && (x.keyPrefix().startsWith(y.keyPrefix()) || y.keyPrefix().startsWith(x.keyPrefix()));
    } else {
      overlap = false;
    }
    if (overlap) {
      throw new IllegalArgumentException(
          "the two sides of a mirror block store are the same store, or one is inside the other: a"
              + " mirror needs two separate stores (another disk, bucket or key prefix) to keep two copies");
    }
  }

  /** The folder of a {@code file:} URI, absolute. */
  private static Path folder(String uri) {
    String path = uri.substring("file:".length());
    if (path.startsWith("//")) {
      path = path.substring(2); // file:///srv/blocks
    }
    if (path.isBlank()) {
      throw new IllegalArgumentException("a file: block store needs a folder, as in file:/srv/edfs-blocks");
    }
    return Path.of(path).toAbsolutePath().normalize();
  }

  /** {@code p} with symbolic links resolved as far as it exists. */
  private static Path real(Path p) {
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(p));
    } catch (IOException e) {
      return p;
    }
  }

  /** A file: or s3:// store; an S3 store is not checked yet. */
  private static BlockStore single(String uri, Path spoolDir, Spool spool) throws IOException {
    if (uri.startsWith("file:")) {
      return DiskBlockStore.existing(folder(uri));
    }
    if (uri.startsWith(S3BlockStore.Location.SCHEME)) {
      S3BlockStore.Location where = S3BlockStore.Location.parse(uri);
      return new S3BlockStore(where, spool != null ? spool : new Spool(spoolDir));
    }
    throw new IllegalArgumentException("unknown block store " + ServerConfig.redact(uri) + "; " + EXPECTED);
  }

  /**
   * Checks a mirror's S3 sides: an unreachable side is only a warning (the other serves reads),
   * unless both are; a side with a wrong bucket or wrong credentials is an error.
   */
  private static void checkSides(BlockStore a, BlockStore b) throws IOException {
    BlockStoreUnavailableException down = null;
    int reachable = 0;
    for (BlockStore side : List.of(a, b)) {
      if (side instanceof S3BlockStore s3) {
        try {
          s3.check();
          reachable++;
        } catch (BlockStoreUnavailableException e) {
          LOG.warn("{}; the mirror starts without it: reads use the other side, uploads fail until it is back", e.getMessage());
          down = e;
        }
      } else {
        reachable++;
      }
    }
    if (reachable == 0) {
      throw new IOException("neither side of the mirror can be reached: " + down.getMessage(), down);
    }
  }
}
