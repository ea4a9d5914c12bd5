package io.edfs.protocol;

import java.util.UUID;

/**
 * An RFC 9457 problem body. {@code type} is {@link ErrorType#slug()}.
 *
 * @param currentVersionId nullable: set on {@code version-conflict}
 */
public record Problem(String type, String title, int status, String detail, UUID currentVersionId) {}
