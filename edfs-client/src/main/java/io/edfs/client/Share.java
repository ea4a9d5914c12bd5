package io.edfs.client;

import io.edfs.protocol.Mode;
import io.edfs.protocol.NodeKind;
import java.time.Instant;

/**
 * A grant as its users see it.
 *
 * @param path for grants I gave, the node's path in my home ({@code /a/b}); for grants given
 *     to me, {@code @owner/name}
 */
public record Share(
    String path, NodeKind kind, String owner, String grantee, Mode mode, Instant createdAt) {}
