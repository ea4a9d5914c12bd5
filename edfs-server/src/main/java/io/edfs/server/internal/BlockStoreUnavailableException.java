package io.edfs.server.internal;

import java.io.IOException;

/**
 * A block store cannot be reached or is overloaded right now (an S3 endpoint that refuses
 * connections, times out or answers 5xx): worth trying again later, unlike a wrong bucket or
 * wrong credentials. The HTTP layer answers {@code 503 unavailable}. The message is one line and
 * never carries a credential.
 */
final class BlockStoreUnavailableException extends IOException {
  BlockStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
