package io.edfs.client.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The pinned certificate fingerprint of every server this client has seen, in a text file of
 * {@code host:port FINGERPRINT} lines. Thread-safe within one process.
 *
 * <p>A server has one key however it is spelled ({@link #key(String, int)}): the metadata and
 * block transports see the same IPv6 host in different spellings, and a pin must not be missed
 * for that. Lines written by earlier versions in another spelling are read under their key; of
 * two such lines for one server, the first counts.
 */
public final class KnownServers {
  private final Path file;

  public KnownServers(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /**
   * The one spelling of a server's {@code host:port}: a host name in lower case, an IPv4 address
   * as given, an IPv6 address compressed in brackets (RFC 5952: {@code [::1]:8443}, never {@code
   * 0:0:0:0:0:0:0:1:8443} or {@code ::1:8443}). Makes no DNS query.
   *
   * @param host a host name or IP address, an IPv6 one bracketed or not
   */
  public static String key(String host, int port) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!bare.contains(":")) {
      return bare.toLowerCase(Locale.ROOT) + ":" + port;
    }
    int zone = bare.indexOf('%');
    String address = zone < 0 ? bare : bare.substring(0, zone);
    try {
      // bracketed, so the JDK parses it as a literal or fails, never asking DNS
      InetAddress parsed = InetAddress.getByName("[" + address + "]");
      return parsed instanceof Inet6Address v6
          ? "[" + compressed(v6.getAddress()) + bare.substring(address.length()) + "]:" + port
          : parsed.getHostAddress() + ":" + port; // an IPv4-mapped address is its IPv4 address
    } catch (UnknownHostException e) {
      return host.toLowerCase(Locale.ROOT) + ":" + port; // not an address: kept as written
    }
  }

  /** {@link #key(String, int)} of a server URL; no port means 443. */
  public static String key(URI server) {
    return key(server.getHost(), server.getPort() == -1 ? 443 : server.getPort());
  }

  /** The key of a {@code host:port} as written in the file by any version (the port follows the last ':'). */
  static String normalise(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return hostPort;
    }
    try {
      return key(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (NumberFormatException e) {
      return hostPort;
    }
  }

  /** RFC 5952 text of an IPv6 address: lower-case hex, the longest run of two or more zero groups as "::". */
  private static String compressed(byte[] address) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (address[2 * i] & 0xff) << 8 | address[2 * i + 1] & 0xff;
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  /** The fingerprint pinned for {@code hostPort} (any spelling). */
  public synchronized Optional<String> pinned(String hostPort) {
    return Optional.ofNullable(read().get(normalise(hostPort)));
  }

  /** Pins {@code fingerprint} for {@code hostPort} (any spelling); the file is rewritten with every key in its one spelling. */
  public synchronized void pin(String hostPort, String fingerprint) {
    Map<String, String> pins = read();
    pins.put(normalise(hostPort), fingerprint);
    StringBuilder out = new StringBuilder();
    pins.forEach((k, v) -> out.append(k).append(' ').append(v).append('\n'));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".known", ".tmp");
      Files.writeString(tmp, out, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: permissions are the platform's default
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private Map<String, String> read() {
    Map<String, String> pins = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return pins;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2 && !parts[0].startsWith("#")) {
          pins.putIfAbsent(normalise(parts[0]), parts[1]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return pins;
  }
}
