package io.edfs.server.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blocks as objects {@code PREFIX/ab/cd/<hash>} in an S3 bucket (the {@code s3:} block store), on
 * AWS or any S3-compatible server (MinIO, Ceph, Garage, S3Proxy...). Thread-safe; several server
 * nodes may share a bucket.
 *
 * <p>{@link #put} first spools the block ({@link Spool}: in memory up to 256 KiB, else a temp
 * file) while hashing it, and sends it only once the SHA-256 matches, with its Content-MD5 so the
 * server refuses bytes damaged on the way. So no object ever holds bytes that do not match its
 * name, the heap holds at most 256 KiB per upload, and the SDK can retry a failed PUT from the
 * spool. A PUT is atomic (the object appears whole or not at all) and S3 acknowledges it only
 * once it is stored durably: the durability is the object store's. Streaming straight to S3
 * instead would need a temporary object and a server-side copy once the hash is known (three
 * requests, and leftovers to clean up), or multipart uploads with 5 MiB parts in memory.
 *
 * <p>Every failure is an {@link IOException} whose message is one line naming the bucket and the
 * reason (bucket missing, credentials refused, endpoint down), never a credential; failures worth
 * retrying (the endpoint cannot be reached, times out or answers 5xx) are {@link
 * BlockStoreUnavailableException}s.
 */
final class S3BlockStore implements BlockStore {
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*");
  /**
   * S3 requests at once, each on its own pooled connection. A request holds its connection only
   * while it runs: downloads are spooled before the client sees a byte, so a slow client never
   * keeps one.
   */
  static final int MAX_REQUESTS = 256;

  /** How long a request waits for one of the {@link #MAX_REQUESTS} before the store is "unavailable". */
  static final Duration REQUEST_WAIT = Duration.ofSeconds(5);

  /**
   * The longest one request may take, retries included: a 16 MiB block at about 150 KiB/s. Beyond
   * it the store counts as unavailable (503), so no request thread waits on S3 indefinitely.
   */
  static final Duration REQUEST_TIME_LIMIT = Duration.ofMinutes(2);

  private final Location where;
  private final Spool spool;
  private final AwsCredentialsProvider credentials;
  private final S3Client s3;
  private final Semaphore requests;
  private final int maxRequests;
  private final Duration requestWait;

  /** A store on {@code where}, spooling uploads in {@code spool}. Does no I/O: see {@link #check()}. */
  S3BlockStore(Location where, Spool spool) {
    this(where, spool, MAX_REQUESTS, REQUEST_WAIT);
  }

  /**
   * A store that runs at most {@code maxRequests} S3 requests at once; a request that waits longer
   * than {@code requestWait} for its turn fails as unavailable, without being retried.
   */
  S3BlockStore(Location where, Spool spool, int maxRequests, Duration requestWait) {
    this.where = where;
    this.spool = spool;
    this.maxRequests = maxRequests;
    this.requestWait = requestWait;
    // a fair queue: under load, requests are served in the order they came
    this.requests = new Semaphore(maxRequests, true);
    this.credentials =
        where.accessKey().isPresent()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(where.accessKey().get(), where.secretKey().orElseThrow()))
            : DefaultCredentialsProvider.builder().build();
    var builder =
        S3Client.builder()
            .httpClientBuilder(
                Apache5HttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(30))
                    .connectionAcquisitionTimeout(Duration.ofSeconds(10))
                    // one more than the requests allowed at once, so none waits for the pool
                    .maxConnections(maxRequests + 1))
            .overrideConfiguration(o -> o.apiCallTimeout(REQUEST_TIME_LIMIT))
            // always named: the SDK's own region lookup may ask the EC2 metadata service
            .region(Region.of(where.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(where.pathStyle())
            // S3-compatible servers vary in their support of the SDK's newer trailing checksums;
            // puts carry a Content-MD5, which every one of them checks
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    where.endpoint().ifPresent(builder::endpointOverride);
    this.s3 = builder.build();
  }

  /**
   * Checks that the bucket can be listed with the credentials (one small ListObjectsV2), creating
   * the bucket first when it is missing and the URI says {@code create-bucket=true}.
   *
   * @throws IOException with a one-line reason otherwise
   */
  void check() throws IOException {
    request(
        "cannot list the bucket",
        () -> {
          try {
            try {
              s3.listObjectsV2(listing().maxKeys(1).build());
            } catch (NoSuchBucketException e) {
              if (!where.createBucket()) {
                throw e;
              }
              s3.createBucket(b -> b.bucket(where.bucket()));
            }
          } catch (SdkException e) {
            throw failure("cannot list the bucket", e);
          }
          return null;
        });
  }

  @Override
  public void put(String hash, long length, InputStream in) throws IOException {
    String key = key(hash);
    try (Spool.Spooled block = spool.receive(hash, length, in, true)) {
      RequestBody body =
          RequestBody.fromContentProvider(
              () -> {
                try {
                  return block.open(0);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              length,
              "application/octet-stream");
      send(key, length, block.md5(), body, "block " + hash);
    }
  }

  /** One PUT of {@code body}, {@code length} bytes whose MD5 is {@code md5}, as object {@code key}. */
  private void send(String key, long length, byte[] md5, RequestBody body, String what)
      throws IOException {
    String action = "cannot store " + what;
    String contentMd5 = Base64.getEncoder().encodeToString(md5);
    request(
        action,
        () -> {
          try {
            s3.putObject(
                b -> b.bucket(where.bucket()).key(key).contentLength(length).contentMD5(contentMd5),
                body);
          } catch (SdkException e) {
            throw failure(action, e);
          }
          return null;
        });
  }

  @Override
  public boolean contains(String hash) throws IOException {
    String key = key(hash);
    String action = "cannot look up block " + hash;
    return request(
        action,
        () -> {
          try {
            s3.headObject(b -> b.bucket(where.bucket()).key(key));
            return true;
          } catch (NoSuchKeyException e) {
            return false;
          } catch (SdkException e) {
            throw failure(action, e);
          }
        });
  }

  /**
   * Reads the block from {@code offset} into the spool (memory up to 256 KiB, else a temp file)
   * and only then hands it out: the S3 connection is free again before the client reads a byte, so
   * slow clients cannot hold every connection. Costs the time to fetch a block (at most 16 MiB)
   * before its first byte.
   */
  @Override
  public InputStream open(String hash, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offset);
    }
    GetObjectRequest.Builder get = GetObjectRequest.builder().bucket(where.bucket()).key(key(hash));
    if (offset > 0) {
      get.range("bytes=" + offset + "-");
    }
    String action = "cannot read block " + hash;
    Spool.Spooled copy =
        request(
            action,
            () -> {
              try {
                return s3.getObject(
                    get.build(),
                    (ResponseTransformer<GetObjectResponse, Spool.Spooled>)
                        (response, in) -> spool.readAll(in, Checks.MAX_BLOCK_BYTES));
              } catch (NoSuchKeyException e) {
                throw new NoSuchFileException(
                    where.bucket() + "/" + key(hash), null, "no such block in " + describe());
              } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                  return null; // the block exists, and offset is at or past its end
                }
                throw failure(action, e);
              } catch (SdkException e) {
                throw failure(action, e);
              }
            });
    return copy == null ? InputStream.nullInputStream() : copy.handOver(0);
  }

  @Override
  public void delete(String hash) throws IOException {
    String key = key(hash);
    String action = "cannot delete block " + hash;
    request(
        action,
        () -> {
          try {
            s3.deleteObject(b -> b.bucket(where.bucket()).key(key));
          } catch (SdkException e) {
            throw failure(action, e);
          }
          return null;
        });
  }

  @Override
  public void list(Visitor each) throws IOException {
    String prefix = where.keyPrefix();
    request(
        "cannot list the bucket",
        () -> {
          try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(listing().build())) {
              for (S3Object o : page.contents()) {
                String hash = hashOf(o.key(), prefix);
                if (hash != null) {
                  each.visit(new Stored(hash, o.size(), o.lastModified()));
                }
              }
            }
          } catch (SdkException e) {
            throw failure("cannot list the bucket", e);
          }
          return null;
        });
  }

  @Override
  public Optional<String> readMarker() throws IOException {
    String action = "cannot read the store's marker " + where.keyPrefix() + MARKER;
    return request(
        action,
        () -> {
          try {
            ResponseBytes<GetObjectResponse> b =
                s3.getObjectAsBytes(g -> g.bucket(where.bucket()).key(where.keyPrefix() + MARKER));
            return Optional.of(b.asUtf8String().strip());
          } catch (NoSuchKeyException e) {
            return Optional.empty();
          } catch (SdkException e) {
            throw failure(action, e);
          }
        });
  }

  @Override
  public void writeMarker(String installation) throws IOException {
    byte[] content = (installation + "\n").getBytes(StandardCharsets.UTF_8);
    send(
        where.keyPrefix() + MARKER,
        content.length,
        md5().digest(content),
        RequestBody.fromBytes(content),
        "the store's marker " + where.keyPrefix() + MARKER);
  }

  /** One request to S3, run once one of the {@code maxRequests} is free. */
  private <T> T request(String action, Call<T> call) throws IOException {
    boolean admitted;
    try {
      admitted = requests.tryAcquire(requestWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(describe() + ": " + action + ": interrupted");
    }
    if (!admitted) {
      // not retried: waiting longer would only hold the client's request, and this node's thread,
      // while the store is busy
      throw new BlockStoreUnavailableException(
          describe()
              + ": "
              + action
              + ": all "
              + maxRequests
              + " S3 requests this node allows at once are busy (waited "
              + requestWait.toMillis()
              + " ms); try again",
          null);
    }
    try {
      return call.run();
    } finally {
      requests.release();
    }
  }

  /** An S3 request and its handling of failures. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  @Override
  public String describe() {
    return where.toString();
  }

  @Override
  public void close() {
    s3.close();
    if (credentials instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing to release that matters
      }
    }
  }

  @Override
  public String toString() {
    return "S3BlockStore[" + describe() + "]";
  }

  /** Where the store is. */
  Location location() {
    return where;
  }

  // Other objects of the bucket, beside the blocks: a backup's snapshots and server secret.

  /** Stores {@code file} as object {@code key} of the bucket: whole, or not at all. */
  void putObject(String key, Path file) throws IOException {
    send(key, Files.size(file), md5(file), RequestBody.fromFile(file), key);
  }

  /** Stores {@code bytes} as object {@code key} of the bucket. */
  void putObject(String key, byte[] bytes) throws IOException {
    send(key, bytes.length, md5().digest(bytes), RequestBody.fromBytes(bytes), key);
  }

  /**
   * Opens object {@code key} of the bucket; the caller closes it.
   *
   * @throws NoSuchFileException if there is no such object
   */
  InputStream getObject(String key) throws IOException {
    // streamed, not spooled (a snapshot may be large): the stream keeps its connection outside the
    // count of requests, which suits the admin commands, the only callers
    return request(
        "cannot read " + key,
        () -> {
          try {
            return new AbortOnEarlyClose(s3.getObject(b -> b.bucket(where.bucket()).key(key)));
          } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(
                where.bucket() + "/" + key, null, "no such object in " + describe());
          } catch (SdkException e) {
            throw failure("cannot read " + key, e);
          }
        });
  }

  /** The keys of the bucket's objects that start with {@code prefix}, at most {@code max}. */
  List<String> keys(String prefix, int max) throws IOException {
    List<String> keys = new ArrayList<>();
    ListObjectsV2Request.Builder list = ListObjectsV2Request.builder().bucket(where.bucket());
    if (!prefix.isEmpty()) {
      list.prefix(prefix);
    }
    return request(
        "cannot list the bucket",
        () -> {
          try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(list.build())) {
              for (S3Object o : page.contents()) {
                if (keys.size() == max) {
                  return keys;
                }
                keys.add(o.key());
              }
            }
          } catch (SdkException e) {
            throw failure("cannot list the bucket", e);
          }
          return keys;
        });
  }

  private static byte[] md5(Path file) throws IOException {
    MessageDigest md5 = md5();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md5.update(buf, 0, n);
      }
    }
    return md5.digest();
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The object key of block {@code hash}: {@code PREFIX/ab/cd/<hash>}. */
  String key(String hash) {
    if (!Checks.isHash(hash)) {
      throw new IllegalArgumentException("not a block hash");
    }
    return where.keyPrefix() + hash.substring(0, 2) + "/" + hash.substring(2, 4) + "/" + hash;
  }

  private ListObjectsV2Request.Builder listing() {
    ListObjectsV2Request.Builder b = ListObjectsV2Request.builder().bucket(where.bucket());
    return where.keyPrefix().isEmpty() ? b : b.prefix(where.keyPrefix());
  }

  /** The hash of a block's key, or null for any other object in the bucket. */
  private static String hashOf(String key, String prefix) {
    if (key.length() != prefix.length() + 70 || !key.startsWith(prefix)) {
      return null;
    }
    String rest = key.substring(prefix.length()); // ab/cd/<hash>
    String hash = rest.substring(6);
    boolean ok =
        Checks.isHash(hash)
            && rest.charAt(2) == '/'
            && rest.charAt(5) == '/'
            && rest.regionMatches(0, hash, 0, 2)
            && rest.regionMatches(3, hash, 2, 2);
    return ok ? hash : null;
  }

  /**
   * The exception for a failed request: one line, "S3 bucket B at E: ACTION: REASON", without a
   * credential; a {@link BlockStoreUnavailableException} when trying again later may work.
   */
  private IOException failure(String action, SdkException e) {
    boolean unavailable = false;
    String reason;
    if (e instanceof S3Exception s3e) {
      String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
      int status = s3e.statusCode();
      if ("NoSuchBucket".equals(code) || e instanceof NoSuchBucketException) {
        reason =
            "the bucket does not exist (create it, or add create-bucket=true to the block store URI)";
      } else if ("InvalidAccessKeyId".equals(code)) {
        reason = "the server does not know the access key (check access-key, or AWS_ACCESS_KEY_ID)";
      } else if ("SignatureDoesNotMatch".equals(code)) {
        reason =
            "the secret key does not match the access key (check secret-key, or AWS_SECRET_ACCESS_KEY)";
      } else if (status == 403) {
        reason = "access denied (HTTP 403" + (code == null ? "" : " " + code) + "): check the credentials and the bucket's policy";
      } else if (status >= 500 || status == 429) {
        unavailable = true;
        reason = "the server answered HTTP " + status + (code == null ? "" : " " + code);
      } else {
        String message = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorMessage();
        reason = "HTTP " + status + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message);
      }
    } else if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
        || cause(e, SocketTimeoutException.class)) {
      unavailable = true;
      reason = "no answer from " + where.endpointText() + " in time";
    } else if (cause(e, ConnectException.class) || cause(e, NoRouteToHostException.class)) {
      unavailable = true;
      String why = rootMessage(e); // "Connect to http://h:p failed: Connection refused"
      reason = "cannot connect to " + where.endpointText() + " (" + why.substring(why.lastIndexOf(": ") + 1).strip() + ")";
    } else if (cause(e, UnknownHostException.class)) {
      unavailable = true;
      reason = "unknown host in " + where.endpointText();
    } else if (String.valueOf(e.getMessage()).contains("Unable to load credentials")) {
      reason =
          "no credentials: add access-key and secret-key to the block store URI, or set"
              + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile";
    } else {
      reason = rootMessage(e);
    }
    String message = oneLine(describe() + ": " + action + ": " + reason);
    if (where.secretKey().isPresent()) {
      message = message.replace(where.secretKey().get(), "***");
    }
    return unavailable ? new BlockStoreUnavailableException(message, e) : new IOException(message, e);
  }

  private static boolean cause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  private static String oneLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * Aborts the HTTP request when closed before the end, instead of reading the rest of the block;
   * a stream read to its last byte keeps its connection for the next request. Readers such as the
   * HTTP layer stop after the last byte without asking for more, so the end is counted, not only
   * seen.
   */
  private static final class AbortOnEarlyClose extends FilterInputStream {
    private final ResponseInputStream<GetObjectResponse> response;
    private long left;

    AbortOnEarlyClose(ResponseInputStream<GetObjectResponse> response) {
      super(response);
      this.response = response;
      Long length = response.response().contentLength();
      this.left = length == null ? Long.MAX_VALUE : length;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      left = b < 0 ? 0 : left - 1;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      left = n < 0 ? 0 : left - n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      left -= skipped;
      return skipped;
    }

    @Override
    public void close() throws IOException {
      if (left > 0) {
        response.abort();
      }
      super.close();
    }
  }

  /**
   * An {@code s3://BUCKET[/PREFIX]?PARAMS} URI, parsed and checked. Parameters: {@code endpoint}
   * (an http(s) URL; path-style addressing then, unless {@code path-style=false}), {@code region}
   * (default us-east-1), {@code access-key} and {@code secret-key} (both or neither; without them
   * the AWS SDK's default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, ...), {@code
   * create-bucket=true} (create a missing bucket at start). Values may be percent-encoded; a
   * {@code +} stays a plus, as secret keys hold them. {@link #toString} never shows the secret.
   */
  record Location(
      String bucket,
      String prefix,
      Optional<URI> endpoint,
      String region,
      boolean pathStyle,
      Optional<String> accessKey,
      Optional<String> secretKey,
      boolean createBucket) {
    static final String SCHEME = "s3://";
    private static final Pattern PARAMETER_NAME = Pattern.compile("[a-z0-9_.-]{1,40}");
    private static final Set<String> PARAMETERS =
        Set.of("endpoint", "region", "path-style", "access-key", "secret-key", "create-bucket");

    /**
     * Parses {@code uri}.
     *
     * @throws IllegalArgumentException naming what is wrong (never showing the secret key)
     */
    static Location parse(String uri) {
      if (!uri.startsWith(SCHEME)) {
        throw new IllegalArgumentException("an S3 block store URI starts with s3://");
      }
      String rest = uri.substring(SCHEME.length());
      int q = rest.indexOf('?');
      String path = q < 0 ? rest : rest.substring(0, q);
      Map<String, String> params = params(q < 0 ? "" : rest.substring(q + 1));
      int slash = path.indexOf('/');
      String bucket = slash < 0 ? path : path.substring(0, slash);
      String prefix = slash < 0 ? "" : strip(path.substring(slash + 1));
      if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
        throw new IllegalArgumentException(
            "bad bucket name '"
                + bucket
                + "' in s3:// block store URI: 3 to 63 lowercase letters, digits, dots and hyphens,"
                + " as in s3://edfs-blocks?endpoint=http://127.0.0.1:9000");
      }
      if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException(
            "bad key prefix '" + prefix + "' in s3:// block store URI: letters, digits and !_.*'()- separated by /");
      }
      Optional<URI> endpoint = Optional.ofNullable(params.get("endpoint")).map(Location::endpoint);
      Optional<String> access = Optional.ofNullable(params.get("access-key"));
      Optional<String> secret = Optional.ofNullable(params.get("secret-key"));
      if (access.isPresent() != secret.isPresent()) {
        throw new IllegalArgumentException(
            "an s3:// block store URI needs both access-key and secret-key, or neither (then the"
                + " AWS SDK's default credentials apply)");
      }
      String region = params.getOrDefault("region", "us-east-1");
      if (!region.matches("[a-z0-9-]{1,64}")) {
        throw new IllegalArgumentException("bad region '" + region + "' in s3:// block store URI");
      }
      return new Location(
          bucket,
          prefix,
          endpoint,
          region,
          bool(params, "path-style", endpoint.isPresent()),
          access,
          secret,
          bool(params, "create-bucket", false));
    }

    /** The same bucket and settings, {@code sub} further down: {@code PREFIX/sub}. */
    Location below(String sub) {
      return new Location(
          bucket,
          prefix.isEmpty() ? sub : prefix + "/" + sub,
          endpoint,
          region,
          pathStyle,
          accessKey,
          secretKey,
          createBucket);
    }

    /** The prefix of every block's key: empty, or the prefix and a slash. */
    String keyPrefix() {
      return prefix.isEmpty() ? "" : prefix + "/";
    }

    String endpointText() {
      return endpoint.map(URI::toString).orElse("AWS S3 in " + region);
    }

    @Override
    public String toString() {
      return "S3 bucket "
          + bucket
          + (prefix.isEmpty() ? "" : " (prefix " + prefix + "/)")
          + endpoint.map(e -> " at " + e).orElse(" in AWS region " + region);
    }

    private static Map<String, String> params(String query) {
      Map<String, String> params = new LinkedHashMap<>();
      if (query.isEmpty()) {
        return params;
      }
      int position = 0;
      for (String pair : query.split("&", -1)) {
        position++;
        int eq = pair.indexOf('=');
        String name = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
        if (!PARAMETERS.contains(name)) {
          // only a name that is set apart from its value is shown: a mistyped
          // "secret-key:KEY" is the key itself
          String shown =
              eq >= 0 && PARAMETER_NAME.matcher(name).matches()
                  ? "'" + name + "'"
                  : "number " + position + " (not shown: it may hold a credential)";
          throw new IllegalArgumentException(
              "unknown parameter "
                  + shown
                  + " in s3:// block store URI; known: endpoint, region, access-key, secret-key,"
                  + " path-style, create-bucket");
        }
        if (eq < 0 || eq == pair.length() - 1) {
          throw new IllegalArgumentException("parameter " + name + " of s3:// block store URI has no value");
        }
        String raw = pair.substring(eq + 1);
        String value;
        try {
          value = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("parameter " + name + " of s3:// block store URI is not well percent-encoded");
        }
        if (params.put(name, value) != null) {
          throw new IllegalArgumentException("parameter " + name + " appears twice in s3:// block store URI");
        }
      }
      return params;
    }

    private static URI endpoint(String text) {
      URI u;
      try {
        u = new URI(text);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("bad endpoint in s3:// block store URI: " + e.getReason());
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
        throw new IllegalArgumentException(
            "the endpoint of an s3:// block store URI is an http:// or https:// URL with a host, as in"
                + " endpoint=http://127.0.0.1:9000");
      }
      if (u.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "put S3 credentials in access-key and secret-key, not in the endpoint URL");
      }
      return u;
    }

    private static boolean bool(Map<String, String> params, String name, boolean otherwise) {
      String v = params.get(name);
      if (v == null) {
        return otherwise;
      }
      return switch (v.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default ->
            throw new IllegalArgumentException(
                "parameter " + name + " of s3:// block store URI is true or false, not '" + v + "'");
      };
    }

    private static String strip(String prefix) {
      int from = 0;
      int to = prefix.length();
      while (from < to && prefix.charAt(from) == '/') {
        from++;
      }
      while (to > from && prefix.charAt(to - 1) == '/') {
        to--;
      }
      return prefix.substring(from, to);
    }
  }
}
