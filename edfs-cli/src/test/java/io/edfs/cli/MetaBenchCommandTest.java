package io.edfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("edfs bench meta")
class MetaBenchCommandTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "--clients=0, '--clients must list numbers in 1..256, got [0]'",
    "--clients=1;300, '--clients must list numbers in 1..256, got [1, 300]'",
    "--entries=0, '--entries must be in 1..1000000, got 0'",
    "--seconds=0, '--seconds must be in (0, 600], got 0'",
    "--db=jdbc:oracle:thin:@x, '--db jdbc:oracle:thin:@x is not a supported JDBC URL'",
  })
  @DisplayName("refuses a bad setting before starting anything, naming the value and the range")
  void validates(String option, String message) {
    var err = new ByteArrayOutputStream();
    String[] args = {"bench", "meta", option.replace(';', ',')};
    int code = Main.run(args, Map.of(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(message);
  }

  @Test
  @DisplayName("names the engine after the JDBC URL")
  void engineLabel() {
    assertThat(MetaBenchCommand.engine(null)).isEqualTo("sqlite");
    assertThat(MetaBenchCommand.engine("jdbc:sqlite:/tmp/x.db")).isEqualTo("sqlite");
    assertThat(MetaBenchCommand.engine("jdbc:mariadb://127.0.0.1/b?user=root")).isEqualTo("mariadb");
    assertThat(MetaBenchCommand.engine("jdbc:postgresql://127.0.0.1/b")).isEqualTo("postgresql");
  }
}
