package multiplexing.bench;

import java.io.IOException;
import java.util.Map;

/** Scenario 3: many connections arrive in one burst and stay idle, then each echoes once. */
final class IdleScenario {
  /**
   * What one server did with the burst.
   *
   * @param asked connections the generator opened
   * @param connected handshakes the kernel finished (some may wait in the listen backlog)
   * @param accepted connections the server itself accepted, counted from its log
   * @param burstMillis from the first connect() to the server's last "accepted" line
   * @param echoed connections whose one message came back intact
   * @param rssBefore the server's resident memory before the burst
   * @param rssHeld with every connection held idle
   * @param rssAfterEcho after each connection echoed once
   */
  record Outcome(
      Contender contender,
      int asked,
      int connected,
      int accepted,
      double burstMillis,
      int echoed,
      long rssBefore,
      long rssHeld,
      long rssAfterEcho,
      Map<String, Integer> errors) {

    /** Memory each accepted connection costs the server once it has echoed; NaN for too few. */
    double bytesPerConnection() {
      return accepted < asked / 10 ? Double.NaN : (rssAfterEcho - rssBefore) / (double) accepted;
    }
  }

  private IdleScenario() {}

  static Outcome run(ServerProcess server, Settings settings) throws IOException {
    long timeout = (long) (settings.idleTimeoutSeconds() * 1e9);
    long rssBefore = server.stats().rssBytes();
    int acceptedBefore = server.accepted();
    Load load = Load.once(settings.idleConnections(), 64, false);
    try (LoadGenerator generator = LoadGenerator.connect(server.address(), load)) {
      int connected = generator.awaitConnected(timeout);
      int accepted = server.awaitAccepts(acceptedBefore, connected, timeout) - acceptedBefore;
      double burstMillis =
          accepted == 0 ? Double.NaN : (server.lastAcceptAt() - generator.connectStartedAt()) / 1e6;
      long rssHeld = server.stats().rssBytes();
      LoadResult echo = generator.exchange(0, 0, timeout);
      long rssAfterEcho = server.stats().rssBytes();
      return new Outcome(
          server.contender(),
          load.connections(),
          connected,
          accepted,
          burstMillis,
          echo.finished(),
          rssBefore,
          rssHeld,
          rssAfterEcho,
          echo.errors());
    }
  }
}
