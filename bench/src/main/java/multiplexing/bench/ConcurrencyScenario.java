package multiplexing.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Concurrency: N clients connect at once and each does one round trip, then hangs up. */
final class ConcurrencyScenario {
  private static final long TIMEOUT_NANOS = 20_000_000_000L;

  /** Every round of N clients against one server. */
  record Point(int clients, Contender contender, List<LoadResult> rounds) {
    /** From the first connect() to the last client's echo. */
    double totalMillis() {
      return Median.of(rounds, r -> r.lastEchoNanos() / 1e6);
    }

    /** The median client's round trip: step 1 makes each client wait for those before it. */
    double medianRoundTripMillis() {
      return Median.of(rounds, r -> r.latencyMicros(50) / 1000);
    }

    int errors() {
      return rounds.stream().mapToInt(LoadResult::errorCount).sum();
    }
  }

  private ConcurrencyScenario() {}

  static List<Point> run(List<ServerProcess> servers, Settings settings, PrintStream out)
      throws IOException {
    List<Point> points = new ArrayList<>();
    for (int clients : settings.concurrencyClients()) {
      Map<ServerProcess, List<LoadResult>> rounds = new LinkedHashMap<>();
      servers.forEach(server -> rounds.put(server, new ArrayList<>()));
      for (int round = 0; round < settings.rounds(); round++) {
        for (int turn = 0; turn < servers.size(); turn++) {
          ServerProcess server = servers.get((round + turn) % servers.size());
          // One message each, and a hang-up: step 1 serves the next client only after that.
          try (LoadGenerator generator =
              LoadGenerator.connect(server.address(), Load.once(clients, 64, true))) {
            rounds.get(server).add(generator.exchange(0, 0, TIMEOUT_NANOS));
          }
        }
      }
      StringBuilder line = new StringBuilder(String.format("  %4d clients:", clients));
      for (Map.Entry<ServerProcess, List<LoadResult>> entry : rounds.entrySet()) {
        Point point = new Point(clients, entry.getKey().contender(), entry.getValue());
        points.add(point);
        line.append(String.format(" %s %.1f ms", point.contender().name(), point.totalMillis()));
        if (point.errors() > 0) {
          line.append(" (").append(point.errors()).append(" errors)");
        }
      }
      out.println(line);
    }
    return points;
  }
}
