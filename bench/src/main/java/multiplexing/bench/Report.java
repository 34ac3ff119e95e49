package multiplexing.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Turns the results into markdown: one table per scenario, then the targets, met or missed. */
final class Report {
  private static final double MIB = 1024 * 1024;

  private final Results results;
  private final StringBuilder text = new StringBuilder();

  private Report(Results results) {
    this.results = results;
  }

  static String markdown(Results results, List<String> charts) {
    Report report = new Report(results);
    report.header();
    report.concurrency();
    report.throughput();
    report.idle();
    report.flood();
    report.targets();
    report.charts(charts);
    return report.text.toString();
  }

  private void line(String format, Object... args) {
    text.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  private void header() {
    Settings s = results.settings;
    line("# Bench results%s", s.quick() ? " (quick run: indicative only)" : "");
    line("");
    line("Machine: %s", results.machine);
    line("");
    line(
        "Each server ran in a JVM of its own, warmed for %.0f s under load; %d round(s) per"
            + " figure, servers taking turns, medians quoted; %.1f s counted per throughput round"
            + " after %.1f s of ramp. Latency is the round trip of one message, from the moment the"
            + " generator queued it (closed loop: a slow reply also delays the next send).",
        s.warmupSeconds(), s.rounds(), s.windowSeconds(), s.rampSeconds());
    line("");
  }

  private void concurrency() {
    if (results.concurrency.isEmpty()) {
      return;
    }
    Set<String> servers = new LinkedHashSet<>();
    results.concurrency.forEach(p -> servers.add(p.contender().name()));
    line("## Scenario 1: N clients, one round trip each, at the same moment");
    line("");
    line(
        "Milliseconds from the first connect() to the last echo, then the median client's round"
            + " trip (from its send to its echo) in milliseconds; each client hangs up after its"
            + " echo.");
    line("");
    line("| clients | %s |", String.join(" | ", servers));
    line("|---:|%s", "---:|".repeat(servers.size()));
    Map<Integer, List<ConcurrencyScenario.Point>> byClients =
        results.concurrency.stream()
            .collect(
                Collectors.groupingBy(
                    ConcurrencyScenario.Point::clients, TreeMap::new, Collectors.toList()));
    byClients.forEach(
        (clients, points) -> {
          List<String> cells = new ArrayList<>();
          for (ConcurrencyScenario.Point point : points) {
            cells.add(
                String.format(
                        Locale.ROOT,
                        "%.1f / %.2f",
                        point.totalMillis(),
                        point.medianRoundTripMillis())
                    + (point.errors() > 0 ? " (" + point.errors() + " errors)" : ""));
          }
          line("| %d | %s |", clients, String.join(" | ", cells));
        });
    line("");
    if (results.concurrency.stream().anyMatch(p -> p.totalMillis() > 900)) {
      line(
          "A total near 1,000 ms is the listen backlog overflowing: the kernel dropped handshakes"
              + " that did not fit and the clients' TCP retried them a second later. Java's"
              + " default backlog is 50; step 5 asks for 4,096 and Netty uses the kernel's"
              + " somaxconn.");
      line("");
    }
  }

  private void throughput() {
    if (results.throughput.isEmpty()) {
      return;
    }
    line("## Scenario 2: throughput");
    line("");
    line(
        "msgs/s: echoes per second; MB/s: payload echoed per second, one way; latency in"
            + " microseconds; CPU in cores (1.00 = one full core), for the server process and for"
            + " the generator's thread; `saturated`: both at 0.92 of a core or more.");
    line("");
    line(
        "| load | server | msgs/s | MB/s | p50 | p99 | p99.9 | server CPU | generator CPU |"
            + " server RSS MiB | errors | vs Netty | |");
    line("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (ThroughputScenario.Cell cell : results.throughput) {
      line(
          "| %s | %s | %,.0f | %.1f | %.0f | %.0f | %.0f | %.2f | %.2f | %.0f | %d | %s | %s |",
          cell.load().describe(),
          cell.contender().name(),
          cell.messagesPerSecond(),
          cell.megabytesPerSecond(),
          cell.latencyMicros(50),
          cell.latencyMicros(99),
          cell.latencyMicros(99.9),
          cell.serverCores(),
          cell.generatorCores(),
          cell.serverRssBytes() / MIB,
          cell.errors(),
          results
              .ratioToNetty(cell)
              .map(r -> String.format(Locale.ROOT, cell.saturated() ? "(%.2fx)" : "%.2fx", r))
              .orElse(""),
          cell.saturated() ? "saturated: not ranked" : "");
    }
    line("");
    saturation();
  }

  // Where both sides burn a full core, the servers' differences are the machine's noise.
  private void saturation() {
    List<ThroughputScenario.Cell> saturated =
        results.throughput.stream().filter(ThroughputScenario.Cell::saturated).toList();
    if (saturated.isEmpty()) {
      return;
    }
    Set<String> loads = new LinkedHashSet<>();
    saturated.forEach(c -> loads.add(c.load().describe()));
    line(
        "**Saturated loads** (%s): the server and the load generator each use about a full core,"
            + " so the two cores are the limit, not one server's code; we do not rank servers"
            + " there. Round-to-round spread in those rows: %.0f%% (median).",
        String.join("; ", loads), 100 * roundSpread(saturated));
    line("");
    generatorHeadroom().ifPresent(text -> line("%s", text));
    line("");
  }

  private static double roundSpread(List<ThroughputScenario.Cell> cells) {
    return Median.of(
        cells,
        c -> {
          double[] rates =
              c.rounds().stream().mapToDouble(r -> r.result().messagesPerSecond()).toArray();
          double max = Arrays.stream(rates).max().orElse(0);
          double min = Arrays.stream(rates).min().orElse(0);
          return (max - min) / c.messagesPerSecond();
        });
  }

  // The generator's best rate in this run bounds what it can drive; ping-pong stays far below
  // it, so ping-pong is limited by a syscall and a wake-up per message on both sides.
  private Optional<String> generatorHeadroom() {
    Optional<ThroughputScenario.Cell> fastest =
        results.throughput.stream()
            .max(Comparator.comparingDouble(ThroughputScenario.Cell::messagesPerSecond));
    Optional<ThroughputScenario.Cell> pingPong =
        results.throughput.stream()
            .filter(c -> c.saturated() && c.load().inFlight() == 1)
            .max(Comparator.comparingDouble(ThroughputScenario.Cell::messagesPerSecond));
    if (fastest.isEmpty() || pingPong.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "How we know the load generator is not the bottleneck: the same generator thread on"
                + " the same core drove %,.0f msgs/s in this run (%s, %s), %.1fx the best"
                + " saturated ping-pong figure (%,.0f msgs/s, %s, %s). At ping-pong it spends"
                + " %.0f%% of its CPU in the kernel: a write, a read and an epoll wake-up per"
                + " message, the same the server pays. The limit there is those syscalls and the"
                + " loopback's wake-ups on both cores, not either program's own code.",
            fastest.get().messagesPerSecond(),
            fastest.get().contender().name(),
            fastest.get().load().describe(),
            fastest.get().messagesPerSecond() / pingPong.get().messagesPerSecond(),
            pingPong.get().messagesPerSecond(),
            pingPong.get().contender().name(),
            pingPong.get().load().describe(),
            100 * pingPong.get().generatorSystemShare()));
  }

  private void idle() {
    if (results.idle.isEmpty()) {
      return;
    }
    line(
        "## Scenario 3: %,d idle connections in one burst, then one echo each",
        results.settings.idleConnections());
    line("");
    line(
        "Each fresh server takes the burst twice. The first, cold, weighs memory: RSS before it,"
            + " while holding every connection, and after each echoed once; per connection is"
            + " that growth over the connections accepted. The second, warm, is timed (burst:"
            + " first connect() to the server's last `accepted` line) and counted: connected is"
            + " what the kernel finished, accepted what the server logged, echoed what came"
            + " back intact. Step 1 is left out: it would echo the first connection and leave"
            + " the rest waiting in its backlog, as scenario 1 shows.");
    line("");
    line(
        "| server | connected | accepted | burst ms (cold) | burst ms | echoed | RSS before MiB |"
            + " RSS held MiB | RSS after echo MiB | KiB per connection | errors |");
    line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (IdleScenario.Outcome o : results.idle) {
      line(
          "| %s | %,d | %,d | %s | %s | %,d | %.0f | %.0f | %.0f | %s | %s |",
          o.contender().name(),
          o.connected(),
          o.accepted(),
          orNa("%.0f", o.coldBurstMillis()),
          orNa("%.0f", o.burstMillis()),
          o.echoed(),
          o.rssBefore() / MIB,
          o.rssHeld() / MIB,
          o.rssAfterEcho() / MIB,
          orNa("%.1f", o.bytesPerConnection() / 1024),
          describeErrors(o.errors()));
    }
    line("");
  }

  private void flood() {
    if (results.flood.isEmpty()) {
      return;
    }
    line(
        "## Scenario 4: one client sends %d MiB and never reads",
        results.settings.floodBytes() >> 20);
    line("");
    line(
        "taken: what the client could write before the server stopped reading it (the kernel's"
            + " socket buffers hold a few MiB of it); growth: the server's peak RSS minus its RSS"
            + " before. Step 2 is left out: it drops what it cannot write, by design.");
    line("");
    line("| server | MiB taken | stopped reading | RSS before MiB | RSS peak MiB | growth MiB |");
    line("|---|---:|---|---:|---:|---:|");
    for (FloodScenario.Outcome o : results.flood) {
      line(
          "| %s | %.1f | %s | %.0f | %.0f | %.0f |",
          o.contender().name(),
          o.sent() / MIB,
          o.stalled() ? "yes" : "no",
          o.rssBefore() / MIB,
          o.rssPeak() / MIB,
          o.growth() / MIB);
    }
    line("");
  }

  // NaN stands for "too few to tell".
  private static String orNa(String format, double value) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, format, value);
  }

  private static String describeErrors(Map<String, Integer> errors) {
    return errors.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }

  private void targets() {
    line("## Targets");
    line("");
    for (String target : Targets.check(results)) {
      line("- %s", target);
    }
    line("");
  }

  private void charts(List<String> charts) {
    if (charts.isEmpty()) {
      return;
    }
    line("## Charts");
    line("");
    for (String chart : charts) {
      line("![%s](%s)", chart.replace(".png", "").replace('-', ' '), chart);
      line("");
    }
  }
}
