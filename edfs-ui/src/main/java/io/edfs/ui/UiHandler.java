package io.edfs.ui;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything in front of the API: the page's files, and the checks every request passes.
 *
 * <ul>
 *   <li>Host must name this server as 127.0.0.1 or localhost with its port, which defeats DNS
 *       rebinding (a hostile name resolving to 127.0.0.1).
 *   <li>A request sent by another site is refused: an Origin other than ours, or
 *       Sec-Fetch-Site other than same-origin or none (a typed address). Calls that change
 *       anything must carry our Origin, which browsers send and pages cannot forge.
 *   <li>Every API call needs the key the page got for its link ({@code X-Edfs-Key}); no CORS
 *       header is ever sent, so other pages can neither set that header nor read answers.
 * </ul>
 *
 * Nothing about a request is logged: its path and parameters hold file names.
 */
final class UiHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(UiHandler.class);
  private static final Pattern FILE = Pattern.compile("[a-z0-9][a-z0-9.-]*\\.(html|js|css|svg|png|ico)");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon");
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
          + " form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

  private final Gate gate;
  private final UiApi api;
  private volatile Set<String> hosts = Set.of();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  UiHandler(Gate gate, UiApi api) {
    super(InvocationType.BLOCKING);
    this.gate = gate;
    this.api = api;
  }

  /** Once the port is known: the Host values (and so the origins) this server answers to. */
  void port(int port) {
    hosts = Set.of("127.0.0.1:" + port, "localhost:" + port);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Http h = new Http(request, response);
    try {
      secure(response.getHeaders());
      route(h);
      callback.succeeded();
    } catch (Throwable t) {
      if (response.isCommitted()) {
        // mid-stream (a download): abort the connection so the browser sees the failure
        callback.failed(t);
        return true;
      }
      UiError e = t instanceof UiError u ? u : internal(t);
      try {
        h.sendJson(e.status, e.body());
        callback.succeeded();
      } catch (IOException | RuntimeException again) {
        callback.failed(again);
      }
    }
    return true;
  }

  private void route(Http h) throws IOException {
    if (!hosts.contains(String.valueOf(h.header(HttpHeader.HOST)))) {
      throw UiError.badOrigin();
    }
    String origin = h.header(HttpHeader.ORIGIN);
    boolean safe = h.method().equals("GET") || h.method().equals("HEAD");
    if (origin != null ? !hosts.contains(origin.replaceFirst("^http://", "")) || !origin.startsWith("http://") : !safe) {
      throw UiError.badOrigin();
    }
    String path = h.path();
    boolean api = path.startsWith("/api/");
    boolean download = path.startsWith("/download/");
    String site = h.header("Sec-Fetch-Site");
    // the page's own files are public: opening them from a link elsewhere (or from the file that
    // hands the link to a browser) is fine; calls and downloads come from the page only
    if ((api || download) && site != null && !site.equals("same-origin") && !site.equals("none")) {
      throw UiError.badOrigin();
    }
    if (path.equals("/api/session") && h.method().equals("POST")) {
      session(h);
    } else if (api) {
      if (!gate.validKey(h.header("X-Edfs-Key"))) {
        throw UiError.noKey();
      }
      this.api.handle(h);
    } else if (download && h.method().equals("GET")) {
      this.api.download(h, path.substring("/download/".length()));
    } else if (safe && !download) {
      file(h, path.equals("/") ? "index.html" : path.substring(1));
    } else {
      throw new UiError(405, "BAD_REQUEST", "method not allowed");
    }
  }

  /** Trades the link's one-time token for a key. */
  private void session(Http h) throws IOException {
    JsonNode body = h.json();
    Gate.Traded t = gate.trade(Http.text(body, "token"), Instant.now());
    switch (t.outcome()) {
      case OK -> h.sendJson(200, Map.of("key", t.key().orElseThrow()));
      case USED ->
          throw new UiError(
              403,
              "LINK_USED",
              "This link was already used, so it no longer works. Run 'edfs ui' again, or press Enter in its terminal, for a new link.");
      case EXPIRED ->
          throw new UiError(
              403,
              "LINK_EXPIRED",
              "This link has expired (links work for " + Gate.LINK_TTL.toMinutes() + " minutes). Press Enter in the terminal of 'edfs ui' for a new one.");
      case INVALID ->
          throw new UiError(
              403, "LINK_INVALID", "This link is not valid for this edfs ui (it may belong to one that was stopped). Run 'edfs ui' again for a new link.");
    }
  }

  private void file(Http h, String name) throws IOException {
    Optional<byte[]> bytes = Optional.ofNullable(files.get(name));
    if (bytes.isEmpty() && FILE.matcher(name).matches()) {
      // only files that exist are kept: a stream of made-up names cannot grow the map
      bytes = load(name);
      bytes.ifPresent(b -> files.put(name, b));
    }
    if (bytes.isEmpty()) {
      h.sendBytes(404, "text/plain; charset=utf-8", "not found\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return;
    }
    h.response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    h.sendBytes(200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), bytes.get());
  }

  private static Optional<byte[]> load(String name) {
    try (InputStream in = UiHandler.class.getResourceAsStream("web/" + name)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void secure(HttpFields.Mutable headers) {
    headers.put("Content-Security-Policy", CSP);
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("X-Frame-Options", "DENY");
    headers.put("Referrer-Policy", "no-referrer");
    headers.put("Cross-Origin-Opener-Policy", "same-origin");
    headers.put("Cross-Origin-Resource-Policy", "same-origin");
  }

  private static UiError internal(Throwable t) {
    if (t instanceof org.eclipse.jetty.http.HttpException x && x.getCode() >= 400 && x.getCode() < 500) {
      return UiError.badRequest("malformed request");
    }
    // the type only: a message could hold a file name
    LOG.error("request failed: {}", t.getClass().getName());
    return new UiError(500, "IO", "Something went wrong in edfs ui (" + t.getClass().getSimpleName() + "). Try again.");
  }
}
