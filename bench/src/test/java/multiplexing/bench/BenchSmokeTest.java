package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's smoke tests: real servers in JVMs of their own take a tiny load and are stopped. */
class BenchSmokeTest {
  private static final long SECOND = 1_000_000_000L;

  @TempDir Path classes;

  @Test
  void step2EchoesEveryByteOfATinyLoadAndIsStoppedAfterwards() throws Exception {
    Path root = Bench.findRoot();
    String classPath =
        StepCompiler.compile(root.resolve(Contender.STEP2.source()), classes).toString();
    ServerProcess server =
        ServerProcess.start(
            Contender.STEP2, ServerProcess.command(Jdk.running(), Contender.STEP2, classPath), -1);
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

  @Test
  void theThreadPerClientServerTakesAFixedRateAndCountsItsThreads() throws Exception {
    Path root = Bench.findRoot();
    Jdk jdk = Jdk.running();
    String classPath =
        StepCompiler.await(
                StepCompiler.compileWith(jdk, List.of(Contender.THREADS.sourceFile(root)), classes))
            .toString();
    try (ServerProcess server =
        ServerProcess.start(
            Contender.THREADS, ServerProcess.command(jdk, Contender.THREADS, classPath), -1)) {
      // 2,000 messages a second over 20 connections for 0.1 + 0.5 s: 1,200 sent on schedule,
      // fewer only if this thread is held up as the window closes; every one sent comes back.
      try (LoadGenerator generator =
          ThroughputScenario.connect(server, Load.paced(20, 64, 2_000))) {
        ServerWindow window = new ServerWindow(server);
        LoadResult result = generator.exchange(SECOND / 10, SECOND / 2, 0, window);

        assertThat(result.errors()).isEmpty();
        assertThat(result.echoed()).isBetween(1_000L, 1_205L);
        assertThat(result.messages()).isPositive();
        assertThat(server.accepted()).isEqualTo(20);
        // One thread per client, beside the JVM's own.
        assertThat(window.atClose().threads()).isGreaterThan(20);
      }
    }
  }
}
