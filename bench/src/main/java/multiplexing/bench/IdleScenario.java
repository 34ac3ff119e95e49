package multiplexing.bench;

import java.io.IOException;
import java.util.Map;

/**
 * Scenario 3: many connections arrive in one burst and stay idle, then each echoes once. A fresh
 * server takes the burst twice: the first, cold, to weigh what the connections cost in memory; the
 * second, with its accept path compiled, to time the burst and count the echoes.
 */
final class IdleScenario {
  /**
   * What one server did with the bursts.
   *
   * @param asked connections the generator opened in each burst
   * @param connected handshakes the kernel finished in the second burst (some may wait in the
   *     listen backlog)
   * @param accepted connections the server itself accepted in the second burst, from its log
   * @param coldBurstMillis the first burst: from the first connect() to the server's last accept
   * @param burstMillis the same for the second burst, the server warm
   * @param echoed connections of the second burst whose one message came back intact
   * @param coldAccepted connections the server accepted in the first burst
   * @param rssBefore the fresh server's resident memory before the first burst
   * @param rssHeld with the first burst's connections held idle
   * @param rssAfterEcho after each of them echoed once
   */
  record Outcome(
      Contender contender,
      int asked,
      int connected,
      int accepted,
      double coldBurstMillis,
      double burstMillis,
      int echoed,
      int coldAccepted,
      long rssBefore,
      long rssHeld,
      long rssAfterEcho,
      Map<String, Integer> errors) {

    /** Memory each connection costs the server once it has echoed; NaN when too few got in. */
    double bytesPerConnection() {
      return coldAccepted < asked / 10
          ? Double.NaN
          : (rssAfterEcho - rssBefore) / (double) coldAccepted;
    }
  }

  /** One burst: its timing, and the server's memory as it went. */
  private record Burst(
      int connected,
      int accepted,
      double millis,
      long rssHeld,
      long rssAfterEcho,
      LoadResult echo) {}

  private IdleScenario() {}

  static Outcome run(ServerProcess server, Settings settings) throws IOException {
    long timeout = (long) (settings.idleTimeoutSeconds() * 1e9);
    long rssBefore = server.stats().rssBytes();
    Burst cold = burst(server, settings.idleConnections(), timeout);
    // Let the server finish with the first burst, so that the second counts only its own.
    server.awaitQuiet(300_000_000L, timeout);
    Burst warm = burst(server, settings.idleConnections(), timeout);
    return new Outcome(
        server.contender(),
        settings.idleConnections(),
        warm.connected(),
        warm.accepted(),
        cold.millis(),
        warm.millis(),
        warm.echo().finished(),
        cold.accepted(),
        rssBefore,
        cold.rssHeld(),
        cold.rssAfterEcho(),
        warm.echo().errors());
  }

  private static Burst burst(ServerProcess server, int connections, long timeout)
      throws IOException {
    int acceptedBefore = server.accepted();
    try (LoadGenerator generator =
        LoadGenerator.connect(server.address(), Load.once(connections, 64, false))) {
      int connected = generator.awaitConnected(timeout);
      int accepted = server.awaitAccepts(acceptedBefore, connected, timeout) - acceptedBefore;
      double millis =
          accepted == 0 ? Double.NaN : (server.lastAcceptAt() - generator.connectStartedAt()) / 1e6;
      long rssHeld = server.stats().rssBytes();
      LoadResult echo = generator.exchange(0, 0, timeout);
      long rssAfterEcho = server.stats().rssBytes();
      return new Burst(connected, accepted, millis, rssHeld, rssAfterEcho, echo);
    }
  }
}
