/**
 * The edfs server: {@link io.edfs.server.EdfsServer} runs the HTTPS REST v1 API of {@code
 * io.edfs.protocol} over an embedded SQLite database and a local block folder, configured by a
 * {@link io.edfs.server.ServerConfig}; {@link io.edfs.server.EdfsAdmin} backs it up, restores,
 * checks and repairs it, and dumps and loads its metadata. Everything else lives in {@code io.edfs.server.internal}.
 */
package io.edfs.server;
