/**
 * Implementation of the edfs server. Only {@link io.edfs.server.internal.EdfsRuntime} (for {@link
 * io.edfs.server.EdfsServer}) and {@link io.edfs.server.internal.MetadataDump}, {@link
 * io.edfs.server.internal.Backups} and {@link io.edfs.server.internal.Fsck} (for {@link
 * io.edfs.server.EdfsAdmin}) are public; nothing here is API.
 *
 * <p>Layers, top to bottom: HTTP ({@code ApiHandler}, {@code Router}, {@code Endpoints}, {@code
 * Exchange}, {@code Problems}), services that decide ({@code Accounts}, {@code Tree}, {@code
 * Sharing}, {@code Blocks}), data access that only runs SQL ({@code UserStore}, {@code NodeStore},
 * {@code VersionStore}, {@code GrantStore}) on a {@code Database} behind a {@code Dialect}, and the
 * {@code BlockStore}. Administration ({@code Backups}, {@code Fsck}) works on the same database and
 * block store, and on a {@code BackupTarget}.
 */
package io.edfs.server.internal;
