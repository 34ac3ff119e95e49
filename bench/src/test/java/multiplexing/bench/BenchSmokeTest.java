package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's smoke test: a real step server in its own JVM takes a tiny load and is stopped. */
class BenchSmokeTest {
  private static final long SECOND = 1_000_000_000L;

  @TempDir Path classes;

  @Test
  void step2EchoesEveryByteOfATinyLoadAndIsStoppedAfterwards() throws Exception {
    Contender step2 =
        Contender.discover(Bench.findRoot()).stream()
            .filter(c -> c.name().equals("step2"))
            .findFirst()
            .orElseThrow();
    String classPath = StepCompiler.compile(step2.module(), classes).toString();
    ServerProcess server = ServerProcess.start(step2, classPath, -1);
    try (server) {
      try (LoadGenerator generator =
          LoadGenerator.connectInBatches(
              server.address(), Load.sustained(40, 64, 4), 16, 5 * SECOND)) {
        assertThat(generator.awaitConnected(5 * SECOND)).isEqualTo(40);
        LoadResult result = generator.exchange(SECOND / 10, SECOND / 2, 0);

        assertThat(result.errors()).isEmpty();
        assertThat(result.messages()).isPositive();
        assertThat(result.latency().getTotalCount()).isEqualTo(result.messages());
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> server.accepted() == 40);
    }
    assertThat(server.isAlive()).isFalse();
  }
}
