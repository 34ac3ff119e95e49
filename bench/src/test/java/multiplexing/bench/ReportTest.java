package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The report renders every section from made-up figures, saturated rows and targets included. */
class ReportTest {
  @Test
  void rendersEveryScenarioTheTargetsAndTheSaturationNote() {
    Results results = new Results(Settings.quickRun(), "a test machine");
    Contender step5 = new Contender("step5", Path.of("step5-backpressure"), false, false);
    for (Contender server : List.of(step5, Contender.NETTY)) {
      for (Load load : List.of(Load.sustained(100, 64, 1), Settings.PIPELINED)) {
        double rate = load.inFlight() == 1 ? 100_000 : 1_000_000;
        results.throughput.add(
            new ThroughputScenario.Cell(
                load, server, List.of(round(load, rate, 0.95), round(load, rate * 1.1, 0.97))));
      }
      results.concurrency.add(new ConcurrencyScenario.Point(50, server, List.of(once(50))));
      results.idle.add(
          new IdleScenario.Outcome(
              server, 300, 300, 300, 90, 40, 300, 300, 40 << 20, 41 << 20, 42 << 20, Map.of()));
      results.flood.add(new FloodScenario.Outcome(server, 8 << 20, true, 40 << 20, 47 << 20));
    }

    String markdown = Report.markdown(results, List.of("throughput-64b.png"));

    assertThat(markdown)
        .contains("## Scenario 1", "## Scenario 2", "## Scenario 3", "## Scenario 4")
        .contains("| 100 x 64 B, 16 in flight | step5 | 1,050,000 |")
        .contains("saturated", "How we know the load generator is not the bottleneck")
        .contains("step5, 100 x 64 B, 16 in flight: 1.00x Netty's msgs/s")
        .contains("![throughput 64b](throughput-64b.png)");
  }

  private static ThroughputScenario.Round round(Load load, double rate, double cores) {
    Histogram latency = new Histogram(60_000_000_000L, 3);
    latency.recordValue(50_000);
    LoadResult result =
        new LoadResult(
            load,
            load.connections(),
            0,
            (long) rate,
            1.0,
            latency,
            0,
            Map.of(),
            new CpuTime(0.2 * cores, 0.8 * cores, 1.0));
    return new ThroughputScenario.Round(result, new CpuTime(0.3, 0.7 * cores, 1.0), 50 << 20);
  }

  private static LoadResult once(int clients) {
    Histogram latency = new Histogram(60_000_000_000L, 3);
    latency.recordValue(300_000);
    return new LoadResult(
        Load.once(clients, 64, true),
        clients,
        clients,
        clients,
        0.01,
        latency,
        10_000_000,
        Map.of(),
        CpuTime.NONE);
  }
}
