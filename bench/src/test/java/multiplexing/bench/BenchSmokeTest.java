package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import multiplexing.bench.ProcStats.CpuTime;
import multiplexing.bench.Results.Idle;
import multiplexing.bench.Results.Round;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real servers in JVMs of their own take a tiny load, every byte checked, and are stopped. */
class BenchSmokeTest {
  private static final Bench.Run TINY =
      new Bench.Run(1, 2, 0, 0.1, 0.3, 0.5, List.of(), List.of(), 50, 5, 0.1, 1 << 20, 0.25);

  @Test
  void step7EchoesEveryMessageOfAFixedRateAndIsSampledAsTheWindowOpensAndCloses() {
    Server server =
        Server.start(Contender.STEP7, Contender.STEP7.command(Bench.root(), Jdk.running()), -1);
    try (server) {
      List<Round> rounds = Measure.rounds(List.of(server), List.of(Load.paced(20, 2_000)), 1, TINY);

      Round round = rounds.get(0);
      // Every message sent came back intact; how many fell in the window depends on the machine.
      assertThat(round.result().errors()).isEmpty();
      // 2,000 a second for the 0.1 s ramp and the 0.5 s window: at most 1,201 sent.
      assertThat(round.result().echoed()).isBetween(1L, 1_201L);
      assertThat(round.result().latency().getTotalCount()).isEqualTo(round.result().messages());
      // The server was sampled as the window opened and closed.
      assertThat(round.serverCpu()).isNotEqualTo(CpuTime.NONE);
      assertThat(server.accepted()).isEqualTo(20);
    }
    assertThat(server.isAlive()).isFalse();
  }

  @Test
  void theThreadPerClientServerHoldsAThreadPerIdleConnectionAndEchoesThemAll() throws Exception {
    try (Server server =
        Server.start(
            Contender.THREADS, Contender.THREADS.command(Bench.root(), Jdk.running()), -1)) {
      Idle idle = Measure.idle(server, TINY);

      assertThat(idle.allEchoed()).as("%s", idle).isTrue();
      assertThat(idle.warm().accepted()).isEqualTo(50);
      assertThat(idle.cold().held().threads()).isGreaterThan(50);
      assertThat(idle.kibPerConnection()).isPositive();
    }
  }

  @Test
  void aStepWhoseClassesAreOlderThanItsSourcesIsRefused(@TempDir Path root) throws Exception {
    Path source = root.resolve("step7-fast-path/src/main/java/multiplexing/EchoServer.java");
    Path compiled = root.resolve("step7-fast-path/target/classes/multiplexing/EchoServer.class");
    Files.createDirectories(source.getParent());
    Files.createDirectories(compiled.getParent());
    Files.writeString(source, "class EchoServer {}");
    Files.writeString(compiled, "");
    Files.setLastModifiedTime(
        compiled, FileTime.fromMillis(Files.getLastModifiedTime(source).toMillis() - 1_000));

    assertThatThrownBy(() -> Contender.STEP7.command(root, Jdk.running()))
        .isInstanceOf(Bench.Failure.class)
        .hasMessage(
            "step7-fast-path's classes are missing or older than its EchoServer.java: bench/run builds them");
    Files.setLastModifiedTime(
        compiled, FileTime.fromMillis(Files.getLastModifiedTime(source).toMillis() + 1_000));
    assertThat(Contender.STEP7.command(root, Jdk.running())).endsWith("multiplexing.EchoServer");
  }
}
