package io.edfs.client;

import io.edfs.client.EdfsException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed edfs path: {@code /a/b} (in my home folder; a leading {@code /} is optional) or
 * {@code @alice/NAME/sub} (below the node alice shared with me as NAME). Empty components are
 * ignored; {@code .} and {@code ..} are refused, as no name may be either.
 *
 * @param owner present for {@code @owner/...} paths
 * @param components the names below the home folder, or below the shared node (whose own
 *     name is the first component)
 */
public record RemotePath(Optional<String> owner, List<String> components) {
  public RemotePath {
    components = List.copyOf(components);
  }

  /** Parses a path as typed by a user. */
  public static RemotePath parse(String text) {
    String rest = text;
    Optional<String> owner = Optional.empty();
    if (text.startsWith("@")) {
      int slash = text.indexOf('/');
      String user = slash < 0 ? text.substring(1) : text.substring(1, slash);
      if (user.isEmpty()) {
        throw new EdfsException(Reason.INVALID_NAME, "invalid path '" + text + "': no user after '@'");
      }
      owner = Optional.of(user);
      rest = slash < 0 ? "" : text.substring(slash + 1);
    }
    List<String> parts = new ArrayList<>();
    for (String part : rest.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      if (part.equals(".") || part.equals("..")) {
        throw new EdfsException(
            Reason.INVALID_NAME, "invalid path '" + text + "': '" + part + "' is not a name");
      }
      parts.add(part);
    }
    return new RemotePath(owner, parts);
  }

  /** The home folder itself, or (for {@code @alice}) the list of alice's shares. */
  public boolean isRoot() {
    return components.isEmpty();
  }

  public String name() {
    return components.isEmpty() ? "" : components.get(components.size() - 1);
  }

  public RemotePath parent() {
    if (components.isEmpty()) {
      throw new EdfsException(Reason.INVALID_NAME, "the root has no parent");
    }
    return new RemotePath(owner, components.subList(0, components.size() - 1));
  }

  public RemotePath child(String name) {
    List<String> c = new ArrayList<>(components);
    c.add(name);
    return new RemotePath(owner, c);
  }

  @Override
  public String toString() {
    String tail = String.join("/", components);
    return owner.map(o -> "@" + o + (tail.isEmpty() ? "" : "/" + tail)).orElse("/" + tail);
  }
}
