package multiplexing.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns the results into a student's page, in the words of one {@link Page}: for each scenario a
 * sentence on what it shows and which step it illustrates, then its table; then the charts. The
 * targets are not on the page: they belong to the console and bench/README.md.
 */
final class Report {
  private static final double MIB = 1024 * 1024;

  private final Results results;
  private final Page words;
  private final StringBuilder text = new StringBuilder();

  private Report(Results results, Page words) {
    this.results = results;
    this.words = words;
  }

  static String markdown(Results results, List<String> charts, Page words) {
    Report report = new Report(results, words);
    report.header();
    report.concurrency();
    report.throughput();
    report.cost();
    report.idle();
    report.flood();
    report.threadsOrSelector(charts);
    report.charts(charts);
    return report.text.toString();
  }

  private void line(String text) {
    this.text.append(text).append('\n');
  }

  private void row(Object... cells) {
    line(
        "| " + Arrays.stream(cells).map(String::valueOf).collect(Collectors.joining(" | ")) + " |");
  }

  // The header row, then the alignment row: the first `left` columns and a last column with no
  // name (notes) left, the figures right.
  private void header(String header, int left) {
    line(header);
    String[] names = header.substring(1, header.length() - 1).split("\\|", -1);
    StringBuilder align = new StringBuilder("|");
    for (int i = 0; i < names.length; i++) {
      align.append(i < left || names[i].isBlank() ? "---|" : "---:|");
    }
    line(align.toString());
  }

  // Seconds as a student reads them: "2", "0.2".
  private static String seconds(double s) {
    return s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%.1f", s);
  }

  private String format(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  // NaN stands for "too few to tell".
  private String orNa(String format, double value) {
    return Double.isNaN(value) ? words.t("na") : format(format, value);
  }

  private void header() {
    Settings s = results.settings;
    Machine m = results.machine;
    line(words.t(s.quick() ? "title.quick" : "title"));
    line("");
    String pinning = m.serverCpu() >= 0 ? words.t("pinned", m.serverCpu()) : words.t("unpinned");
    line(
        words.t(
            "machine",
            m.cpu(),
            m.cpus(),
            m.memoryGib(),
            m.os(),
            m.serverJdk(),
            m.benchJdk(),
            m.netty(),
            pinning,
            m.threadLimits()));
    line("");
    String warmup =
        s.warmupSeconds() > 0 ? words.t("warmed", seconds(s.warmupSeconds())) : words.t("cold");
    line(words.t("method", warmup, s.rounds(), s.judgedRounds(), words.root()));
    line("");
    line(words.t("servers", words.root(), words.root()));
    line("");
    results.skipped.forEach((name, why) -> line(words.t("skipped", name, why.replace('`', '\''))));
    if (!results.skipped.isEmpty()) {
      line("");
    }
  }

  private void concurrency() {
    if (results.concurrency.isEmpty()) {
      return;
    }
    Set<String> servers = new LinkedHashSet<>();
    results.concurrency.forEach(p -> servers.add(p.contender().name()));
    line(words.t("concurrency.heading"));
    line("");
    line(words.t("concurrency.lead"));
    line("");
    line(words.t("concurrency.cells"));
    line("");
    header("| " + words.t("concurrency.clients") + " | " + String.join(" | ", servers) + " |", 0);
    Map<Integer, List<ConcurrencyScenario.Point>> byClients =
        results.concurrency.stream()
            .collect(
                Collectors.groupingBy(
                    ConcurrencyScenario.Point::clients, TreeMap::new, Collectors.toList()));
    byClients.forEach(
        (clients, points) -> {
          List<Object> cells = new ArrayList<>();
          cells.add(clients);
          for (ConcurrencyScenario.Point point : points) {
            cells.add(
                format("%.1f / %.2f", point.totalMillis(), point.medianRoundTripMillis())
                    + (point.errors() > 0 ? words.t("concurrency.errors", point.errors()) : ""));
          }
          row(cells.toArray());
        });
    line("");
    if (results.concurrency.stream().anyMatch(p -> p.totalMillis() > 900)) {
      line(words.t("concurrency.backlog"));
      line("");
    }
  }

  private void throughput() {
    if (results.throughput.isEmpty()) {
      return;
    }
    line(words.t("throughput.heading"));
    line("");
    line(words.t("throughput.lead"));
    line("");
    line(words.t("throughput.legend"));
    line("");
    header(words.t("throughput.header"), 2);
    for (ThroughputScenario.Cell cell : results.throughput) {
      row(
          words.load(cell.load()),
          cell.contender().name(),
          format("%,.0f", cell.messagesPerSecond()),
          format("%.1f", cell.megabytesPerSecond()),
          format("%.0f", cell.latencyMicros(50)),
          format("%.0f", cell.latencyMicros(99)),
          format("%.0f", cell.latencyMicros(99.9)),
          format("%.2f", cell.serverCores()),
          format("%.2f", cell.generatorCores()),
          format("%.0f", cell.serverRssBytes() / MIB),
          cell.errors(),
          results
              .ratioToNetty(cell)
              .map(r -> format(cell.saturated() ? "(%.2fx)" : "%.2fx", r))
              .orElse(""),
          cell.saturated() ? words.t("throughput.saturated") : "");
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
    saturated.forEach(c -> loads.add(words.load(c.load())));
    double spread =
        Median.of(saturated, c -> Median.spread(c.rounds(), r -> r.result().messagesPerSecond()));
    line(words.t("throughput.saturation", String.join("; ", loads), 100 * spread));
    line("");
    generatorHeadroom()
        .ifPresent(
            headroom -> {
              line(headroom);
              line("");
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
    ThroughputScenario.Cell f = fastest.get();
    ThroughputScenario.Cell p = pingPong.get();
    return Optional.of(
        words.t(
            "throughput.headroom",
            f.messagesPerSecond(),
            f.contender().name(),
            words.load(f.load()),
            f.messagesPerSecond() / p.messagesPerSecond(),
            p.messagesPerSecond(),
            p.contender().name(),
            words.load(p.load()),
            100 * p.generatorSystemShare()));
  }

  private void cost() {
    if (results.cost.isEmpty()) {
      return;
    }
    line(words.t("cost.heading"));
    line("");
    line(words.t("cost.lead", results.settings.costRate()));
    line("");
    line(words.t("cost.legend"));
    line("");
    header(words.t("cost.header"), 3);
    // The scenario keeps each load's cells ranked, cheapest first, those that fell behind last.
    Map<Load, Integer> rank = new LinkedHashMap<>();
    for (CostScenario.Cell cell : results.cost) {
      String r = cell.keptUp() ? Integer.toString(rank.merge(cell.load(), 1, Integer::sum)) : "-";
      row(
          words.load(cell.load()),
          r,
          cell.contender().name(),
          orNa("%.2f", cell.millisPerThousand()),
          orNa("%.2f", cell.userMillisPerThousand()),
          orNa("%.2f", cell.systemMillisPerThousand()),
          format("%.0f%%", 100 * cell.spread()),
          format("%,.0f", cell.messagesPerSecond()),
          format("%.2f", cell.serverCores()),
          format("%.0f", cell.latencyMicros(99)),
          cell.keptUp() ? "" : words.t("cost.behind"));
    }
    line("");
    List<CostScenario.Cell> counted =
        results.cost.stream().filter(c -> c.syscalls().isPresent()).toList();
    if (counted.isEmpty()) {
      line(words.t("cost.syscalls." + results.syscallSkip, results.syscallDetail));
      line("");
      return;
    }
    line(words.t("cost.syscalls", results.syscallTool));
    line("");
    header(words.t("cost.syscalls.header"), 2);
    for (CostScenario.Cell cell : counted) {
      SyscallCounter.Count count = cell.syscalls().orElseThrow();
      List<Object> cells =
          new ArrayList<>(List.of(words.load(cell.load()), cell.contender().name()));
      for (SyscallCounter.Kind kind : SyscallCounter.Kind.values()) {
        cells.add(orNa("%.2f", count.perMessage(kind)));
      }
      cells.add(cell.tracedKeptUp() ? "" : words.t("cost.syscalls.behind"));
      row(cells.toArray());
    }
    line("");
  }

  private void idle() {
    if (results.idle.isEmpty()) {
      return;
    }
    int asked = results.settings.idleConnections();
    line(words.t("idle.heading", asked));
    line("");
    line(words.t("idle.lead", asked));
    line("");
    line(
        words.t(
            "idle.legend",
            seconds(results.settings.idleCpuSeconds()),
            seconds(results.settings.idleTimeoutSeconds())));
    line("");
    header(words.t("idle.header"), 1);
    List<String> troubles = new ArrayList<>();
    for (Contender server : results.idleServers()) {
      List<IdleScenario.Outcome> rounds = results.idleRounds(server.name());
      Map<String, Integer> errors = new TreeMap<>();
      rounds.forEach(o -> o.errors().forEach((k, v) -> errors.merge(k, v, Integer::sum)));
      row(
          server.name(),
          rounds.size(),
          format("%,.0f", Median.of(rounds, o -> (double) o.accepted())),
          format("%,.0f", Median.of(rounds, o -> (double) o.echoed())),
          orNa("%.0f", Median.of(rounds, IdleScenario.Outcome::coldBurstMillis)),
          orNa("%.0f", Median.of(rounds, IdleScenario.Outcome::burstMillis)),
          format("%.0f", Median.of(rounds, o -> o.rssBefore() / MIB)),
          format("%.0f", Median.of(rounds, o -> o.rssHeld() / MIB)),
          orNa("%.1f", Median.of(rounds, o -> o.bytesPerConnection() / 1024)),
          format("%,.0f", Median.of(rounds, o -> (double) o.threadsHeld())),
          format("%.0f", Median.of(rounds, o -> 1000 * o.idleCpu().cores())),
          errors.entrySet().stream()
              .map(e -> words.error(e.getKey(), e.getValue()))
              .collect(Collectors.joining(", ")));
      rounds.stream()
          .filter(o -> o.trouble() != null)
          .findFirst()
          .ifPresent(
              o ->
                  troubles.add(
                      words.t(
                          "idle.trouble",
                          server.name(),
                          Math.min(o.coldEchoed(), o.echoed()),
                          o.asked(),
                          o.trouble().replace('`', '\''))));
    }
    line("");
    for (String trouble : troubles) {
      line(trouble);
      line("");
    }
  }

  private void flood() {
    if (results.flood.isEmpty()) {
      return;
    }
    line(words.t("flood.heading"));
    line("");
    line(words.t("flood.lead", results.settings.floodBytes() >> 20));
    line("");
    line(words.t("flood.legend"));
    line("");
    header(words.t("flood.header"), 1);
    for (FloodScenario.Outcome o : results.flood) {
      row(
          o.contender().name(),
          format("%.1f", o.sent() / MIB),
          words.t(o.stalled() ? "yes" : "no"),
          format("%.0f", o.rssBefore() / MIB),
          format("%.0f", o.rssPeak() / MIB),
          format("%.0f", o.growth() / MIB),
          o.threads());
    }
    line("");
  }

  /** The loads the threads-versus-selector table quotes, from those this run measured. */
  static List<Load> threadsTableLoads(Results results) {
    List<Load> loads = new ArrayList<>();
    for (Load wanted :
        List.of(Load.sustained(100, 64, 1), Load.sustained(10, 16 * 1024, 1), Settings.PIPELINED)) {
      if (results.throughput.stream().anyMatch(c -> c.load().equals(wanted))) {
        loads.add(wanted);
      }
    }
    if (loads.isEmpty()) {
      results.throughput.stream()
          .map(ThroughputScenario.Cell::load)
          .filter(l -> l.connections() > 1)
          .findFirst()
          .ifPresent(loads::add);
    }
    return loads;
  }

  private void threadsOrSelector(List<String> charts) {
    List<Contender> four =
        Contender.THREADS_OR_SELECTOR.stream()
            .filter(c -> !results.skipped.containsKey(c.name()))
            .toList();
    if (results.throughput.isEmpty() && results.idle.isEmpty() && results.cost.isEmpty()) {
      return;
    }
    line(words.t("threads.heading"));
    line("");
    line(words.t("threads.lead", results.machine.serverJdk()));
    line("");
    List<Load> loads = threadsTableLoads(results);
    List<Load> costLoads = results.settings.costLoads();
    Load costLoad = costLoads.get(costLoads.size() - 1);
    StringBuilder head = new StringBuilder("| " + words.t("threads.server") + " |");
    for (Load load : loads) {
      head.append(' ').append(words.t("threads.rate", words.load(load))).append(" |");
    }
    head.append(' ').append(words.t("threads.cpu", words.load(costLoad))).append(" |");
    head.append(' ').append(words.t("threads.rest", results.settings.idleConnections()));
    header(head.toString(), 1);
    for (Contender c : four) {
      List<IdleScenario.Outcome> idle = results.idleRounds(c.name());
      Optional<FloodScenario.Outcome> flood =
          results.flood.stream().filter(o -> o.contender().equals(c)).findFirst();
      List<Object> cells = new ArrayList<>();
      cells.add(c.name());
      for (Load load : loads) {
        cells.add(
            results
                .cell(load, c.name())
                .map(x -> format("%,.0f", x.messagesPerSecond()))
                .orElse(""));
      }
      cells.add(
          results
              .cost(costLoad, c.name())
              .map(x -> orNa("%.2f", x.millisPerThousand()))
              .orElse(""));
      if (idle.isEmpty()) {
        cells.addAll(List.of("", "", "", "", ""));
      } else {
        cells.add(format("%,.0f", Median.of(idle, o -> (double) o.echoed())));
        cells.add(orNa("%.0f", Median.of(idle, IdleScenario.Outcome::burstMillis)));
        cells.add(format("%.0f", Median.of(idle, o -> o.rssHeld() / MIB)));
        cells.add(orNa("%.1f", Median.of(idle, o -> o.bytesPerConnection() / 1024)));
        cells.add(format("%,.0f", Median.of(idle, o -> (double) o.threadsHeld())));
      }
      cells.add(flood.map(o -> format("%.0f", o.growth() / MIB)).orElse(""));
      row(cells.toArray());
    }
    line("");
    if (charts.contains(Charts.THREADS_VS_SELECTOR)) {
      image(Charts.THREADS_VS_SELECTOR);
    }
  }

  private void charts(List<String> charts) {
    List<String> others =
        charts.stream().filter(c -> !c.equals(Charts.THREADS_VS_SELECTOR)).toList();
    if (others.isEmpty()) {
      return;
    }
    line(words.t("charts.heading"));
    line("");
    others.forEach(this::image);
  }

  private void image(String chart) {
    line(
        "![" + words.t("chart." + chart.replace(".png", "")) + "](" + words.charts() + chart + ")");
    line("");
  }
}
