package io.edfs.client;

import java.util.Optional;
import java.util.UUID;

/** Someone else committed a newer version first; nothing was overwritten. */
public final class VersionConflictException extends EdfsException {
  private final UUID currentVersionId;

  public VersionConflictException(String message, Optional<UUID> currentVersionId) {
    super(Reason.VERSION_CONFLICT, message);
    this.currentVersionId = currentVersionId.orElse(null);
  }

  /** The version that is current on the server now, if the server said. */
  public Optional<UUID> currentVersionId() {
    return Optional.ofNullable(currentVersionId);
  }
}
