package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Router")
class RouterTest {
  private final Router.Endpoint nothing = ex -> {};
  private final Router router =
      new Router()
          .open("POST", "/v1/login", nothing)
          .authenticated("GET", "/v1/nodes/{}", nothing)
          .authenticated("DELETE", "/v1/nodes/{}", nothing)
          .authenticated("GET", "/v1/nodes/{}/versions/{}/blocks/{}", nothing);

  @Test
  @DisplayName("matches method and path, capturing segments in order")
  void matches() {
    var found = (Router.Found) router.match("GET", "/v1/nodes/a/versions/b/blocks/3");
    assertThat(found.params()).isEqualTo(List.of("a", "b", "3"));
    assertThat(found.route().authenticated()).isTrue();
    assertThat(((Router.Found) router.match("POST", "/v1/login")).route().authenticated())
        .isFalse();
  }

  @Test
  @DisplayName("a known path with another method is WrongMethod listing the allowed ones")
  void wrongMethod() {
    assertThat(router.match("PUT", "/v1/nodes/x"))
        .isEqualTo(new Router.WrongMethod(Set.of("DELETE", "GET")));
  }

  @Test
  @DisplayName("unknown paths, empty captures and trailing slashes do not match")
  void noRoute() {
    assertThat(router.match("GET", "/v1/nodes")).isInstanceOf(Router.NoRoute.class);
    assertThat(router.match("GET", "/v1/nodes/")).isInstanceOf(Router.NoRoute.class);
    assertThat(router.match("GET", "/v1/nodes/x/")).isInstanceOf(Router.NoRoute.class);
    assertThat(router.match("GET", "/v2/nodes/x")).isInstanceOf(Router.NoRoute.class);
  }
}
