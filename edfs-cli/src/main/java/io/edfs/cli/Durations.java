package io.edfs.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in settings: {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}. */
final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code text}: a number and a unit (ms, s, m, h, d), {@code 0}, or an ISO-8601 duration
   * ({@code PT1H}).
   *
   * @throws IllegalArgumentException naming {@code setting} if it is neither
   */
  static Duration parse(String text, String setting) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SIMPLE.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          setting + " must be a duration such as 90s, 15m, 1h or 7d, got '" + text + "'", e);
    }
  }
}
