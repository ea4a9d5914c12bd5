package io.edfs.server.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Matches a method and path against the route table: {@code {}} in a pattern captures one path
 * segment. Built once, then read-only and thread-safe.
 */
final class Router {
  /** Serves one matched request. */
  @FunctionalInterface
  interface Endpoint {
    void handle(Exchange exchange) throws Exception;
  }

  record Route(String method, List<String> pattern, boolean authenticated, Endpoint endpoint) {}

  /** The outcome of matching a request. */
  sealed interface Match permits Found, WrongMethod, NoRoute {}

  /** A route, with the captured path segments in order. */
  record Found(Route route, List<String> params) implements Match {}

  /** The path exists, but not for this method. */
  record WrongMethod(Set<String> allowed) implements Match {}

  record NoRoute() implements Match {}

  /** Thrown for {@link WrongMethod}: answered 405 with an {@code Allow} header. */
  static final class MethodNotAllowed extends RuntimeException {
    private final String method;
    private final Set<String> allowed;

    MethodNotAllowed(String method, Set<String> allowed) {
      super(null, null, false, false);
      this.method = method;
      this.allowed = Set.copyOf(allowed);
    }

    String method() {
      return method;
    }

    /** The allowed methods, sorted, comma-separated as in an {@code Allow} header. */
    String allowHeader() {
      return String.join(", ", new TreeSet<>(allowed));
    }
  }

  private final List<Route> routes = new ArrayList<>();

  /** Adds a route that needs no session. */
  Router open(String method, String pattern, Endpoint endpoint) {
    routes.add(new Route(method, segments(pattern), false, endpoint));
    return this;
  }

  /** Adds a route that needs {@code Authorization: Bearer <token>}. */
  Router authenticated(String method, String pattern, Endpoint endpoint) {
    routes.add(new Route(method, segments(pattern), true, endpoint));
    return this;
  }

  Match match(String method, String path) {
    List<String> segments = segments(path);
    Set<String> allowed = new TreeSet<>();
    for (Route route : routes) {
      List<String> params = capture(route.pattern(), segments);
      if (params == null) {
        continue;
      }
      if (route.method().equals(method)) {
        return new Found(route, params);
      }
      allowed.add(route.method());
    }
    return allowed.isEmpty() ? new NoRoute() : new WrongMethod(allowed);
  }

  private static List<String> capture(List<String> pattern, List<String> segments) {
    if (pattern.size() != segments.size()) {
      return null;
    }
    List<String> params = new ArrayList<>(2);
    for (int i = 0; i < pattern.size(); i++) {
      String p = pattern.get(i);
      String s = segments.get(i);
      if (p.equals("{}")) {
        if (s.isEmpty()) {
          return null;
        }
        params.add(s);
      } else if (!p.equals(s)) {
        return null;
      }
    }
    return params;
  }

  private static List<String> segments(String path) {
    // keep empty trailing segments: "/v1/nodes/" is not "/v1/nodes"
    return List.of(path.split("/", -1));
  }
}
