package multiplexing.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Throughput: echo at rising connection counts, ping-pong and pipelined, servers in turns. */
final class ThroughputScenario {
  private static final long CONNECT_TIMEOUT_NANOS = 10_000_000_000L;
  // "Near a full core", as a fraction of one.
  static final double SATURATED = 0.92;

  /** One counted round: what the generator saw, and the server's CPU and memory meanwhile. */
  record Round(LoadResult result, CpuTime serverCpu, long serverRss) {}

  /** Every round of one load against one server, and their medians. */
  record Cell(Load load, Contender contender, List<Round> rounds) {
    double messagesPerSecond() {
      return Median.of(rounds, r -> r.result().messagesPerSecond());
    }

    double megabytesPerSecond() {
      return Median.of(rounds, r -> r.result().megabytesPerSecond());
    }

    double latencyMicros(double percentile) {
      return Median.of(rounds, r -> r.result().latencyMicros(percentile));
    }

    double serverCores() {
      return Median.of(rounds, r -> r.serverCpu().cores());
    }

    double generatorCores() {
      return Median.of(rounds, r -> r.result().cpu().cores());
    }

    double generatorSystemShare() {
      return Median.of(rounds, r -> r.result().cpu().systemShare());
    }

    double serverRssBytes() {
      return Median.of(rounds, r -> (double) r.serverRss());
    }

    int errors() {
      return rounds.stream().mapToInt(r -> r.result().errorCount()).sum();
    }

    /** Every round's failures, added up by kind. */
    Map<String, Integer> errorsByKind() {
      Map<String, Integer> sum = new TreeMap<>();
      rounds.forEach(r -> r.result().errors().forEach((k, v) -> sum.merge(k, v, Integer::sum)));
      return sum;
    }

    /**
     * Server and generator both near a full core: the machine, not the server, is the limit. A
     * server that is the limit keeps its core busy while the generator waits for it now and then.
     */
    boolean saturated() {
      return serverCores() >= SATURATED && generatorCores() >= SATURATED;
    }
  }

  private ThroughputScenario() {}

  /** Step 1 serves one client at a time, so it only takes loads of one connection. */
  static boolean fits(Contender contender, Load load) {
    return !contender.oneClientAtATime() || load.connections() == 1;
  }

  /** Loads every server for the warm-up time, so that its JIT has compiled the loop. */
  static void warmUp(List<ServerProcess> servers, Settings settings) throws IOException {
    long half = (long) (settings.warmupSeconds() * 1e9 / 2);
    for (ServerProcess server : servers) {
      int connections = server.contender().oneClientAtATime() ? 1 : 10;
      measure(server, Load.sustained(connections, 64, 16), 0, half);
      measure(server, Load.sustained(connections, 16 * 1024, 1), 0, half);
    }
  }

  static List<Cell> run(List<ServerProcess> servers, Settings settings, PrintStream out)
      throws IOException {
    List<Cell> cells = new ArrayList<>();
    long ramp = (long) (settings.rampSeconds() * 1e9);
    long window = (long) (settings.windowSeconds() * 1e9);
    for (Load load : settings.throughputLoads()) {
      Map<ServerProcess, List<Round>> rounds = new LinkedHashMap<>();
      for (ServerProcess server : servers) {
        if (fits(server.contender(), load)) {
          rounds.put(server, new ArrayList<>());
        }
      }
      List<ServerProcess> turns = new ArrayList<>(rounds.keySet());
      for (int round = 0; round < settings.rounds(); round++) {
        // Each round starts with a different server, so none always runs first or last.
        for (int turn = 0; turn < turns.size(); turn++) {
          ServerProcess server = turns.get((round + turn) % turns.size());
          rounds.get(server).add(measure(server, load, ramp, window));
        }
      }
      for (Map.Entry<ServerProcess, List<Round>> entry : rounds.entrySet()) {
        Cell cell = new Cell(load, entry.getKey().contender(), entry.getValue());
        cells.add(cell);
        out.printf(
            "  %-26s %-6s %,12.0f msg/s %9.1f MB/s  p99 %,9.0f us  cpu server %.2f load %.2f%s%n",
            load.describe(),
            cell.contender().name(),
            cell.messagesPerSecond(),
            cell.megabytesPerSecond(),
            cell.latencyMicros(99),
            cell.serverCores(),
            cell.generatorCores(),
            cell.errors() == 0 ? "" : "  errors: " + cell.errorsByKind());
      }
    }
    return cells;
  }

  private static Round measure(ServerProcess server, Load load, long ramp, long window)
      throws IOException {
    try (LoadGenerator generator = connect(server, load)) {
      ServerWindow sampled = new ServerWindow(server);
      LoadResult result = generator.exchange(ramp, window, 0, sampled);
      return new Round(result, sampled.cpu(), sampled.atClose().rssBytes());
    }
  }

  /**
   * Opens the load's connections in batches of 32 and returns once the server has accepted them
   * all: other scenarios are about bursts, the ones that measure echo are not. A handshake dropped
   * by a full backlog would otherwise join a second later, in the middle of the window.
   */
  static LoadGenerator connect(ServerProcess server, Load load) throws IOException {
    int acceptedBefore = server.accepted();
    LoadGenerator generator =
        LoadGenerator.connectInBatches(server.address(), load, 32, CONNECT_TIMEOUT_NANOS);
    try {
      int connected = generator.awaitConnected(CONNECT_TIMEOUT_NANOS);
      server.awaitAccepts(acceptedBefore, connected, CONNECT_TIMEOUT_NANOS);
      return generator;
    } catch (IOException | RuntimeException e) {
      generator.close();
      throw e;
    }
  }
}
