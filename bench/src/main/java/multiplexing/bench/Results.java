package multiplexing.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Everything one run measured, for the report and the charts. */
final class Results {
  final Settings settings;
  final String machine;
  final List<ConcurrencyScenario.Point> concurrency = new ArrayList<>();
  final List<ThroughputScenario.Cell> throughput = new ArrayList<>();
  final List<IdleScenario.Outcome> idle = new ArrayList<>();
  final List<FloodScenario.Outcome> flood = new ArrayList<>();

  Results(Settings settings, String machine) {
    this.settings = settings;
    this.machine = machine;
  }

  Optional<ThroughputScenario.Cell> cell(Load load, String server) {
    return throughput.stream()
        .filter(c -> c.load().equals(load) && c.contender().name().equals(server))
        .findFirst();
  }

  Optional<IdleScenario.Outcome> idle(String server) {
    return idle.stream().filter(o -> o.contender().name().equals(server)).findFirst();
  }

  /** This cell's messages per second as a multiple of Netty's under the same load. */
  Optional<Double> ratioToNetty(ThroughputScenario.Cell cell) {
    return cell(cell.load(), "netty").map(n -> cell.messagesPerSecond() / n.messagesPerSecond());
  }
}
