package multiplexing.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * How long and how hard the bench runs: the full run for the charts in docs/, or a quick look.
 *
 * @param quick whether this is the quick run (under 30 seconds)
 * @param warmupSeconds load on each server JVM before anything counts, so its JIT has compiled the
 *     loop
 * @param rounds rounds of each measurement; servers take turns round by round and we quote medians
 * @param rampSeconds load before each counting window opens
 * @param windowSeconds the counting window of each throughput round
 * @param throughputConnections the connection counts of scenario 2
 * @param messageSizes the message sizes of scenario 2
 * @param concurrencyClients the client counts of scenario 1
 * @param idleConnections the connections scenario 3 holds
 * @param idleTimeoutSeconds how long scenario 3 waits for handshakes, and then for echoes
 * @param floodBytes what scenario 4's client sends without reading
 * @param floodStallSeconds how long scenario 4's client waits for progress before it gives up
 */
record Settings(
    boolean quick,
    double warmupSeconds,
    int rounds,
    double rampSeconds,
    double windowSeconds,
    List<Integer> throughputConnections,
    List<Integer> messageSizes,
    List<Integer> concurrencyClients,
    int idleConnections,
    double idleTimeoutSeconds,
    long floodBytes,
    double floodStallSeconds) {

  /** The target load: enough in flight that the server, not the loopback, is the limit. */
  static final Load PIPELINED = Load.sustained(100, 64, 16);

  static Settings fullRun() {
    return new Settings(
        false,
        10,
        4,
        0.5,
        1.5,
        List.of(1, 10, 100, 1000),
        List.of(64, 16 * 1024),
        List.of(1, 10, 25, 50, 100),
        10_000,
        10,
        256L << 20,
        2);
  }

  static Settings quickRun() {
    return new Settings(
        true,
        0.4,
        1,
        0.1,
        0.25,
        List.of(1, 40),
        List.of(64, 16 * 1024),
        List.of(1, 50),
        300,
        0.3,
        16L << 20,
        0.3);
  }

  /** Every load of scenario 2: ping-pong at each size and connection count, then the target. */
  List<Load> throughputLoads() {
    List<Load> loads = new ArrayList<>();
    for (int size : messageSizes) {
      for (int connections : throughputConnections) {
        loads.add(Load.sustained(connections, size, 1));
      }
    }
    loads.add(PIPELINED);
    return loads;
  }
}
