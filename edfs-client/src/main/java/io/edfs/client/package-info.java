/**
 * The edfs Java SDK. {@link io.edfs.client.EdfsClient} connects to a server, or to the nodes of
 * a cluster with failover between them (pinning each one's certificate on first use), signs up or
 * logs in and gives a {@link io.edfs.client.Session}
 * whose methods work on paths: {@code /a/b} in the user's home folder, {@code @alice/NAME/sub}
 * inside a node alice shared. All encryption and decryption happens here; the server only
 * ever receives ciphertext.
 */
package io.edfs.client;
