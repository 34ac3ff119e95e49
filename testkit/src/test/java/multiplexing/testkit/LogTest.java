package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The launcher's log keeps the last lines, counts every line, and hands each over as it comes. */
class LogTest {
  @Test
  void keepsTheLastLinesAndCountsEveryOneAskedForBeforeTheyCame() {
    Log log = new Log(100);
    assertThat(log.count("accepted ")).isZero();
    PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
    for (int i = 0; i < 10_000; i++) {
      out.println("accepted 127.0.0.1:" + i);
      out.print("closed by peer 127.0.0.1:" + i + "\r\n");
    }

    assertThat(log.lines()).hasSize(100).last().isEqualTo("closed by peer 127.0.0.1:9999");
    assertThat(log.count("accepted ")).isEqualTo(10_000);
    // Asked only now: the lines kept are all it can count.
    assertThat(log.count("closed by peer ")).isEqualTo(50);
  }

  @Test
  void awaitReturnsALineThatComesLaterAndGivesUpWhenTheLogEnds() throws Exception {
    Log log = new Log(10);
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; i < 1_000; i++) {
                log.add("pass " + i);
              }
              log.add("listening on 127.0.0.1:4242");
              log.end();
            });
    writer.start();

    assertThat(log.await(line -> line.startsWith("listening on "), Duration.ofSeconds(10)))
        .contains("listening on 127.0.0.1:4242");
    writer.join(10_000);
    // Ended: no line can come, so it returns at once rather than wait out its minute.
    assertThat(
            assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> log.await(line -> false, Duration.ofMinutes(1))))
        .isEmpty();
  }
}
