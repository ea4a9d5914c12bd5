package io.edfs.ui;

import io.edfs.client.EdfsClient;
import io.edfs.client.Session;
import io.edfs.client.SessionData;
import java.util.Optional;

/**
 * Where the web app keeps its login between runs: the CLI hands over its own session file, so
 * {@code edfs login} and the page share one session.
 */
public interface SessionStore {
  /** The saved session resumed with {@code client}, if one is saved, valid and for these servers. */
  Optional<Session> resume(EdfsClient client);

  void save(SessionData data);

  void clear();

  /** Keeps nothing: every start of the web app begins logged out. */
  static SessionStore none() {
    return new SessionStore() {
      @Override
      public Optional<Session> resume(EdfsClient client) {
        return Optional.empty();
      }

      @Override
      public void save(SessionData data) {}

      @Override
      public void clear() {}
    };
  }
}
