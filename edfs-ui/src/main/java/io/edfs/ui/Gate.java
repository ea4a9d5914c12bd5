package io.edfs.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may use the web app. {@code edfs ui} prints a link carrying a one-time token (in the URL's
 * fragment, which browsers never send anywhere); the page trades it once for a key that it sends
 * as a header with every API call. No cookie is ever set: a cookie for 127.0.0.1 would also go to
 * every other local port, and with no cookie a cross-site page has nothing the browser adds for
 * it. Tokens, keys and download tickets are kept only as SHA-256 hashes, looked up by hash.
 */
final class Gate {
  /** How long a printed link works: long enough to copy it into a browser, not for a log to keep. */
  static final Duration LINK_TTL = Duration.ofMinutes(15);

  /** How long a download ticket works: the page uses it at once. */
  static final Duration TICKET_TTL = Duration.ofSeconds(60);

  enum Exchange {
    OK,
    USED,
    EXPIRED,
    INVALID
  }

  record Traded(Exchange outcome, Optional<String> key) {}

  record Ticket(String path, Instant expires) {}

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> links = new ConcurrentHashMap<>();
  private final Set<String> spent = ConcurrentHashMap.newKeySet();
  private final Set<String> keys = ConcurrentHashMap.newKeySet();
  private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();

  /** A new one-time link token (256 random bits, base64url), valid for {@link #LINK_TTL}. */
  String newLinkToken(Instant now) {
    String token = secret();
    links.put(hash(token), now.plus(LINK_TTL));
    return token;
  }

  /** Trades a link token for a key, once, before it expires. */
  Traded trade(String token, Instant now) {
    String h = hash(token);
    Instant expires = links.remove(h);
    if (expires != null && expires.isBefore(now)) {
      spent.add(h);
      return new Traded(Exchange.EXPIRED, Optional.empty());
    }
    if (expires != null) {
      spent.add(h);
      String key = secret();
      keys.add(hash(key));
      return new Traded(Exchange.OK, Optional.of(key));
    }
    return new Traded(spent.contains(h) ? Exchange.USED : Exchange.INVALID, Optional.empty());
  }

  boolean validKey(String key) {
    return key != null && !key.isEmpty() && keys.contains(hash(key));
  }

  /** A single-use ticket for downloading {@code path} with a plain GET (a link cannot add headers). */
  String ticket(String path, Instant now) {
    tickets.values().removeIf(t -> t.expires().isBefore(now));
    String ticket = secret();
    tickets.put(hash(ticket), new Ticket(path, now.plus(TICKET_TTL)));
    return ticket;
  }

  /** The path of a valid ticket, which is used up. */
  Optional<String> redeem(String ticket, Instant now) {
    Ticket t = tickets.remove(hash(ticket));
    return t == null || t.expires().isBefore(now) ? Optional.empty() : Optional.of(t.path());
  }

  private String secret() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String hash(String secret) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
