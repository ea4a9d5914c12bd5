package io.edfs.server.internal;

import io.edfs.protocol.ErrorType;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty handler in front of everything: routes, authenticates, runs the endpoint as blocking
 * code (Jetty calls it on a virtual thread), maps failures to problems via {@link Problems}, and
 * writes one access-log line per request (method, path without query, status, millis; never tokens,
 * bodies or query strings).
 */
final class ApiHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("io.edfs.server.access");

  /** Most bytes of an unread request body drained before answering: one block plus slack. */
  private static final long MAX_DISCARD = Checks.MAX_BLOCK_BYTES + Checks.MAX_JSON_BYTES;

  private final Router router;
  private final Accounts accounts;

  ApiHandler(Router router, Accounts accounts) {
    super(InvocationType.BLOCKING);
    this.router = router;
    this.accounts = accounts;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    long start = System.nanoTime();
    Exchange ex = new Exchange(request, response);
    try {
      dispatch(request, ex);
      ex.discardRemainingBody(MAX_DISCARD);
      callback.succeeded();
    } catch (Throwable t) {
      fail(request, ex, t, callback);
    } finally {
      if (ACCESS.isInfoEnabled()) {
        ACCESS.info(
            "{} {} {} {}ms",
            request.getMethod(),
            request.getHttpURI().getPath(),
            ex.status(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      }
    }
    return true;
  }

  private void dispatch(Request request, Exchange ex) throws Exception {
    String path = Request.getPathInContext(request);
    switch (router.match(request.getMethod(), path)) {
      case Router.NoRoute none -> throw ApiException.notFound("no endpoint " + path);
      case Router.WrongMethod wrong ->
          throw new Router.MethodNotAllowed(request.getMethod(), wrong.allowed());
      case Router.Found found -> {
        ex.params(found.params());
        if (found.route().authenticated()) {
          ex.session(accounts.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION)));
        }
        found.route().endpoint().handle(ex);
      }
    }
  }

  private void fail(Request request, Exchange ex, Throwable t, Callback callback) {
    Problems.Mapped mapped = Problems.map(t);
    if (mapped.internal()) {
      LOG.error("{} {} failed", request.getMethod(), request.getHttpURI().getPath(), t);
    } else if (mapped.problem().status() == ErrorType.UNAVAILABLE.status()) {
      LOG.warn("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), t.getMessage());
    } else if (t instanceof Exchange.BodyReadException) {
      LOG.debug("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), t.getMessage());
    }
    if (ex.committed()) {
      callback.failed(t); // too late for a problem: abort the response
      return;
    }
    Map<String, String> headers = mapped.headers();
    if (mapped.problem().status() == ErrorType.TOO_LARGE.status()) {
      // the point is not to read it: answer at once and drop the connection
      headers = new HashMap<>(headers);
      headers.put("Connection", "close");
    } else if (!(t instanceof Exchange.BodyReadException)) {
      ex.discardRemainingBody(MAX_DISCARD);
    }
    try {
      ex.problem(mapped.problem(), headers);
      callback.succeeded();
    } catch (Throwable writeFailure) {
      callback.failed(writeFailure);
    }
  }
}
