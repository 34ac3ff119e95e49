package multiplexing.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cost per message: 64 B messages at a fixed rate that every server keeps up with, so that none is
 * at its limit; then the CPU time each spends per message ranks them, even on two cores, where
 * throughput at saturation only shows the machine's limit. A second pass, which no timed figure
 * comes from, counts the system calls per message.
 */
final class CostScenario {
  /** One round: what the generator saw, and the server's CPU time in the same window. */
  record Round(LoadResult result, CpuTime serverCpu) {
    /** Milliseconds of CPU (user + system) per 1,000 messages echoed: microseconds per message. */
    double millisPerThousand() {
      return perThousand(serverCpu.userSeconds() + serverCpu.systemSeconds());
    }

    double userMillisPerThousand() {
      return perThousand(serverCpu.userSeconds());
    }

    double systemMillisPerThousand() {
      return perThousand(serverCpu.systemSeconds());
    }

    private double perThousand(double seconds) {
      return result.messages() == 0 ? Double.NaN : seconds * 1e6 / result.messages();
    }
  }

  /**
   * Every round of one load against one server, and the syscall count, if one was taken.
   *
   * @param tracedKeptUp whether the server kept the rate while it was traced; if not, it read
   *     several messages at a time and its calls per message are too few
   */
  record Cell(
      Load load,
      Contender contender,
      List<Round> rounds,
      Optional<SyscallCounter.Count> syscalls,
      boolean tracedKeptUp) {
    double millisPerThousand() {
      return Median.of(rounds, Round::millisPerThousand);
    }

    double userMillisPerThousand() {
      return Median.of(rounds, Round::userMillisPerThousand);
    }

    double systemMillisPerThousand() {
      return Median.of(rounds, Round::systemMillisPerThousand);
    }

    /** (max - min) / median of the rounds' CPU per message. */
    double spread() {
      return Median.spread(rounds, Round::millisPerThousand);
    }

    double messagesPerSecond() {
      return Median.of(rounds, r -> r.result().messagesPerSecond());
    }

    double latencyMicros(double percentile) {
      return Median.of(rounds, r -> r.result().latencyMicros(percentile));
    }

    double serverCores() {
      return Median.of(rounds, r -> r.serverCpu().cores());
    }

    /**
     * Whether the server kept the offered rate: within 3 % in the median round, and no more than
     * one send in a thousand skipped because a connection had fallen far behind. A server that
     * falls behind reads several messages at once, which makes each look cheaper: such a row is not
     * ranked.
     */
    boolean keptUp() {
      long skipped = rounds.stream().mapToLong(r -> r.result().errorCount()).sum();
      long messages = rounds.stream().mapToLong(r -> r.result().messages()).sum();
      return messagesPerSecond() >= 0.97 * load.rate() && skipped <= messages / 1000;
    }

    Cell withSyscalls(SyscallCounter.Count count, boolean keptUp) {
      return new Cell(load, contender, rounds, Optional.of(count), keptUp);
    }
  }

  private CostScenario() {}

  /** Only servers that serve many clients at once can take a rate spread over connections. */
  static boolean fits(Contender contender) {
    return !contender.oneClientAtATime();
  }

  static List<Cell> run(
      List<ServerProcess> servers,
      Settings settings,
      Optional<SyscallCounter> counter,
      PrintStream out)
      throws IOException {
    List<Cell> cells = new ArrayList<>();
    long ramp = (long) (settings.costRampSeconds() * 1e9);
    long window = (long) (settings.costWindowSeconds() * 1e9);
    List<ServerProcess> taking =
        servers.stream()
            .filter(s -> fits(s.contender()))
            .filter(s -> settings.focusContenders().contains(s.contender().name()))
            .toList();
    for (Load load : settings.costLoads()) {
      Map<ServerProcess, List<Round>> rounds = new LinkedHashMap<>();
      taking.forEach(server -> rounds.put(server, new ArrayList<>()));
      for (int round = 0; round < settings.judgedRounds(); round++) {
        // Every server takes the first rounds; step 5 and Netty take the rest, for the targets.
        int r = round;
        List<ServerProcess> turns =
            taking.stream()
                .filter(s -> r < settings.rounds() || s.contender().judgedOrReference())
                .toList();
        for (int turn = 0; turn < turns.size(); turn++) {
          ServerProcess server = turns.get((round + turn) % turns.size());
          rounds.get(server).add(measure(server, load, ramp, window));
        }
      }
      List<Cell> ranked = new ArrayList<>();
      rounds.forEach(
          (server, list) ->
              ranked.add(new Cell(load, server.contender(), list, Optional.empty(), true)));
      // Ranked by CPU per message; a server that fell behind goes last, unranked.
      ranked.sort(
          Comparator.comparing((Cell c) -> !c.keptUp())
              .thenComparingDouble(Cell::millisPerThousand));
      for (Cell cell : ranked) {
        out.printf(
            "  %-24s %-8s %6.2f ms per 1,000 msgs (user %.2f, system %.2f, spread %3.0f%%)"
                + " %,8.0f msgs/s p99 %,6.0f us%s%n",
            load.describe(),
            cell.contender().name(),
            cell.millisPerThousand(),
            cell.userMillisPerThousand(),
            cell.systemMillisPerThousand(),
            100 * cell.spread(),
            cell.messagesPerSecond(),
            cell.latencyMicros(99),
            cell.keptUp() ? "" : "  did not keep the rate: " + errors(cell));
      }
      cells.addAll(ranked);
    }
    if (counter.isPresent() && settings.syscallSeconds() > 0) {
      countSyscalls(cells, taking, settings, counter.get(), out);
    }
    return cells;
  }

  private static String errors(Cell cell) {
    Map<String, Integer> sum = new LinkedHashMap<>();
    cell.rounds()
        .forEach(r -> r.result().errors().forEach((k, v) -> sum.merge(k, v, Integer::sum)));
    return sum.isEmpty() ? "slower than offered" : sum.toString();
  }

  private static Round measure(ServerProcess server, Load load, long ramp, long window)
      throws IOException {
    try (LoadGenerator generator = ThroughputScenario.connect(server, load)) {
      ServerWindow sampled = new ServerWindow(server);
      LoadResult result = generator.exchange(ramp, window, 0, sampled);
      return new Round(result, sampled.cpu());
    }
  }

  // The separate pass: the same load again, traced, and the calls divided by the messages echoed
  // while the tracer was attached.
  private static void countSyscalls(
      List<Cell> cells,
      List<ServerProcess> servers,
      Settings settings,
      SyscallCounter counter,
      PrintStream out)
      throws IOException {
    long window = (long) (settings.syscallSeconds() * 1e9);
    for (int i = 0; i < cells.size(); i++) {
      Cell cell = cells.get(i);
      ServerProcess server =
          servers.stream()
              .filter(s -> s.contender().equals(cell.contender()))
              .findFirst()
              .orElseThrow();
      try (LoadGenerator generator = ThroughputScenario.connect(server, cell.load())) {
        SyscallCounter.Tracing tracing = counter.start(server.pid());
        LoadResult result = generator.exchange(0, window, 0);
        SyscallCounter.Count count =
            SyscallCounter.count(tracing.stop(), result.echoed(), counter.tool());
        boolean keptUp =
            result.messagesPerSecond() >= 0.97 * cell.load().rate()
                && result.errorCount() <= result.messages() / 1000;
        cells.set(i, cell.withSyscalls(count, keptUp));
        StringBuilder line =
            new StringBuilder(
                String.format(
                    "  %-24s %-8s syscalls per message:",
                    cell.load().describe(), cell.contender().name()));
        for (SyscallCounter.Kind kind : SyscallCounter.Kind.values()) {
          line.append(String.format(" %s %.2f", kind.label(), count.perMessage(kind)));
        }
        line.append(keptUp ? "" : "  (fell behind while traced: too few)");
        out.println(line);
      } catch (IOException e) {
        // A tracer that fails on one server (too many threads to attach to, say) costs that row.
        out.printf(
            "  %-24s %-8s syscalls not counted: %s%n",
            cell.load().describe(), cell.contender().name(), e.getMessage());
      }
    }
  }
}
