package multiplexing.bench;

import java.io.IOException;
import java.util.Map;

/**
 * Many connections arrive in one burst and stay idle, then each echoes once. A fresh server takes
 * the burst twice: the first, cold, to weigh what the connections cost in memory and threads, and
 * the CPU the server spends while they sit idle; the second, with its accept path compiled, to time
 * the burst and count the echoes.
 */
final class IdleScenario {
  /**
   * What one fresh server did with the two bursts: one round.
   *
   * @param asked connections the generator opened in each burst
   * @param connected handshakes the kernel finished in the second burst (some may wait in the
   *     listen backlog)
   * @param accepted connections the server itself accepted in the second burst, from its log
   * @param coldBurstMillis the first burst: from the first connect() to the server's last accept
   * @param burstMillis the same for the second burst, the server warm
   * @param echoed connections of the second burst whose one message came back intact
   * @param coldAccepted connections the server accepted in the first burst
   * @param coldEchoed connections of the first burst whose message came back
   * @param rssBefore the fresh server's resident memory before the first burst
   * @param rssHeld with the first burst's connections held idle
   * @param rssAfterEcho after each of them echoed once
   * @param threadsBefore the server's threads before the first burst
   * @param threadsHeld its threads while it held them
   * @param idleCpu its CPU time while they sat idle
   * @param trouble the first line where the server turned a client away or failed, or null
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
      int coldEchoed,
      long rssBefore,
      long rssHeld,
      long rssAfterEcho,
      int threadsBefore,
      int threadsHeld,
      CpuTime idleCpu,
      String trouble,
      Map<String, Integer> errors) {

    /** Memory each connection costs the server once it has echoed; NaN when too few got in. */
    double bytesPerConnection() {
      return coldAccepted < asked / 10
          ? Double.NaN
          : (rssAfterEcho - rssBefore) / (double) coldAccepted;
    }

    /** Whether every connection of both bursts came back with its echo. */
    boolean allEchoed() {
      return echoed == asked && coldEchoed == asked;
    }
  }

  /** One burst: its timing, and the server's memory and threads as it went. */
  private record Burst(
      int connected,
      int accepted,
      double millis,
      ProcStats held,
      CpuTime idleCpu,
      long rssAfterEcho,
      LoadResult echo) {}

  private IdleScenario() {}

  static Outcome run(ServerProcess server, Settings settings) throws IOException {
    long timeout = (long) (settings.idleTimeoutSeconds() * 1e9);
    ProcStats before = server.stats();
    long settle = (long) (settings.settleSeconds() * 1e9);
    Burst cold =
        burst(
            server,
            settings.idleConnections(),
            timeout,
            (long) (settings.idleCpuSeconds() * 1e9),
            settle);
    // Let the server finish with the first burst, so that the second counts only its own.
    server.awaitQuiet(settle, timeout);
    Burst warm = burst(server, settings.idleConnections(), timeout, 0, 0);
    // What stopped a server that left connections without their echo: its own words, a JVM
    // warning (a thread it could not start), or its exit.
    boolean allEchoed =
        warm.echo().finished() == settings.idleConnections()
            && cold.echo().finished() == settings.idleConnections();
    String trouble = allEchoed ? null : server.firstTrouble();
    if (!allEchoed && trouble == null && !server.isAlive()) {
      trouble = "the server exited: " + server.lastLines();
    }
    return new Outcome(
        server.contender(),
        settings.idleConnections(),
        warm.connected(),
        warm.accepted(),
        cold.millis(),
        warm.millis(),
        warm.echo().finished(),
        cold.accepted(),
        cold.echo().finished(),
        before.rssBytes(),
        cold.held().rssBytes(),
        cold.rssAfterEcho(),
        before.threads(),
        cold.held().threads(),
        cold.idleCpu(),
        trouble,
        warm.echo().errors());
  }

  private static Burst burst(
      ServerProcess server, int connections, long timeout, long idleNanos, long settleNanos)
      throws IOException {
    int acceptedBefore = server.accepted();
    try (LoadGenerator generator =
        LoadGenerator.connect(server.address(), Load.once(connections, 64, false))) {
      int connected = generator.awaitConnected(timeout);
      int accepted = server.awaitAccepts(acceptedBefore, connected, timeout) - acceptedBefore;
      double millis =
          accepted == 0 ? Double.NaN : (server.lastAcceptAt() - generator.connectStartedAt()) / 1e6;
      CpuTime idleCpu = CpuTime.NONE;
      ProcStats held = server.stats();
      if (idleNanos > 0) {
        // The server has logged its last accept: what it spends from here on is its idle cost.
        server.awaitQuiet(settleNanos, timeout);
        ProcStats quiet = ProcStats.precise(server.pid());
        sleep(idleNanos);
        held = ProcStats.precise(server.pid());
        idleCpu = held.since(quiet);
      }
      LoadResult echo = generator.exchange(0, 0, timeout);
      long rssAfterEcho = server.stats().rssBytes();
      return new Burst(connected, accepted, millis, held, idleCpu, rssAfterEcho, echo);
    }
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
