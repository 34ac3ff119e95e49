package multiplexing.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything one run measured, for the pages, the charts and the targets. */
final class Results {
  final Settings settings;
  final Machine machine;
  final List<ConcurrencyScenario.Point> concurrency = new ArrayList<>();
  final List<ThroughputScenario.Cell> throughput = new ArrayList<>();
  final List<CostScenario.Cell> cost = new ArrayList<>();
  final List<IdleScenario.Outcome> idle = new ArrayList<>();
  final List<FloodScenario.Outcome> flood = new ArrayList<>();
  // Servers left out for want of a JDK 21, and what the search saw: "vthreads" -> "no JDK 21 ...".
  final Map<String, String> skipped = new LinkedHashMap<>();
  // How the syscalls were counted ("perf stat"); else why not: "quick", "off" or "unavailable",
  // with the tools' own words in syscallDetail.
  String syscallTool;
  String syscallSkip = "off";
  String syscallDetail = "";

  Results(Settings settings, Machine machine) {
    this.settings = settings;
    this.machine = machine;
  }

  Optional<ThroughputScenario.Cell> cell(Load load, String server) {
    return throughput.stream()
        .filter(c -> c.load().equals(load) && c.contender().name().equals(server))
        .findFirst();
  }

  Optional<CostScenario.Cell> cost(Load load, String server) {
    return cost.stream()
        .filter(c -> c.load().equals(load) && c.contender().name().equals(server))
        .findFirst();
  }

  /** Every round of the idle scenario one server took, in order. */
  List<IdleScenario.Outcome> idleRounds(String server) {
    return idle.stream().filter(o -> o.contender().name().equals(server)).toList();
  }

  /** The servers that took the idle scenario, in table order. */
  List<Contender> idleServers() {
    return idle.stream().map(IdleScenario.Outcome::contender).distinct().toList();
  }

  /** This cell's messages per second as a multiple of Netty's under the same load. */
  Optional<Double> ratioToNetty(ThroughputScenario.Cell cell) {
    return cell(cell.load(), "netty").map(n -> cell.messagesPerSecond() / n.messagesPerSecond());
  }
}
