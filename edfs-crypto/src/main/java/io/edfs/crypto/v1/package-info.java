/**
 * edfs encryption format v1 (docs/format-v1.md). Every derivation label and associated-data
 * string starts with {@code edfs/v1/}. Nothing in this package does I/O beyond the streams it
 * is given. Types holding key material are {@link AutoCloseable} and wipe on close.
 */
package io.edfs.crypto.v1;
