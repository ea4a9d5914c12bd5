package io.edfs.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GateTest {
  final Gate gate = new Gate();
  final Instant t0 = Instant.parse("2026-11-26T10:00:00Z");

  @Test
  @DisplayName("a link works once, within its lifetime; the key it gives is valid, others are not")
  void links() {
    String token = gate.newLinkToken(t0);
    Gate.Traded first = gate.trade(token, t0.plusSeconds(5));
    assertThat(first.outcome()).isEqualTo(Gate.Exchange.OK);
    assertThat(gate.validKey(first.key().orElseThrow())).isTrue();
    assertThat(gate.validKey(first.key().orElseThrow() + "x")).isFalse();
    assertThat(gate.validKey("")).isFalse();
    assertThat(gate.validKey(null)).isFalse();
    assertThat(gate.trade(token, t0.plusSeconds(6)).outcome()).isEqualTo(Gate.Exchange.USED);
    assertThat(gate.trade("made-up", t0).outcome()).isEqualTo(Gate.Exchange.INVALID);

    String late = gate.newLinkToken(t0);
    assertThat(gate.trade(late, t0.plus(Gate.LINK_TTL).plusSeconds(1)).outcome()).isEqualTo(Gate.Exchange.EXPIRED);
    assertThat(gate.trade(late, t0).outcome()).as("an expired link stays dead").isEqualTo(Gate.Exchange.USED);
  }

  @Test
  @DisplayName("a download ticket names its path once, within its lifetime")
  void tickets() {
    String ticket = gate.ticket("/a/b.txt", t0);
    assertThat(gate.redeem(ticket, t0.plusSeconds(1))).contains("/a/b.txt");
    assertThat(gate.redeem(ticket, t0.plusSeconds(2))).isEmpty();
    String stale = gate.ticket("/c", t0);
    assertThat(gate.redeem(stale, t0.plus(Gate.TICKET_TTL).plus(Duration.ofSeconds(1)))).isEmpty();
  }
}
