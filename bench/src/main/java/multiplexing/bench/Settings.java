package multiplexing.bench;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * How long and how hard the bench runs: the full run for the pages in docs/, or a quick look.
 *
 * @param quick whether this is the quick run (under 30 seconds)
 * @param scenarios the scenarios this run takes, in the order it takes them
 * @param contenders the servers this run starts (names), in table order
 * @param focusContenders the servers that take the cost, idle and flood scenarios: all of them in a
 *     full run, the threads-versus-selector four in a quick one
 * @param warmupSeconds load on each shared server JVM before anything counts, so that its JIT has
 *     compiled the loop
 * @param rounds rounds of each measurement; servers take turns round by round and we quote medians
 * @param judgedRounds rounds that step 5 and Netty take where a target compares them (at least 5);
 *     the others take {@code rounds} of them
 * @param rampSeconds load before each throughput window opens
 * @param windowSeconds the counting window of each throughput round
 * @param throughputLoads the loads of the throughput scenario
 * @param concurrencyClients the client counts of the concurrency scenario
 * @param costRate messages per second in the cost scenario, over all connections
 * @param costConnections the connection counts of the cost scenario
 * @param costRampSeconds load at that rate before each window opens
 * @param costWindowSeconds the counting window of each cost round
 * @param syscallSeconds the window of the separate syscall-counting pass; 0 skips it
 * @param idleConnections the connections the idle scenario holds
 * @param idleTimeoutSeconds how long it waits for handshakes, and then for echoes
 * @param idleCpuSeconds how long it watches the server's CPU while the connections sit idle
 * @param floodBytes what the flood scenario's client sends without reading
 * @param floodStallSeconds how long that client waits for progress before it gives up
 * @param settleSeconds how long a server must print nothing before we take it to have finished with
 *     a burst, and how long we keep sampling its memory after a flood
 */
record Settings(
    boolean quick,
    Set<Scenario> scenarios,
    List<String> contenders,
    List<String> focusContenders,
    double warmupSeconds,
    int rounds,
    int judgedRounds,
    double rampSeconds,
    double windowSeconds,
    List<Load> throughputLoads,
    List<Integer> concurrencyClients,
    int costRate,
    List<Integer> costConnections,
    double costRampSeconds,
    double costWindowSeconds,
    double syscallSeconds,
    int idleConnections,
    double idleTimeoutSeconds,
    double idleCpuSeconds,
    long floodBytes,
    double floodStallSeconds,
    double settleSeconds) {

  /** The five scenarios, in the order a run takes them. */
  enum Scenario {
    CONCURRENCY("concurrency", "N clients, one round trip each, at the same moment"),
    THROUGHPUT("throughput", "throughput, ping-pong and 16 in flight"),
    COST("cost", "cost per message at a fixed rate, then syscalls per message"),
    IDLE("idle", "idle connections in one burst, then one echo each"),
    FLOOD("flood", "one client sends and never reads");

    final String key;
    final String title;

    Scenario(String key, String title) {
      this.key = key;
      this.title = title;
    }

    /** Whether the scenario uses the shared, warmed JVMs; the others start a fresh JVM each. */
    boolean sharesJvms() {
      return this == CONCURRENCY || this == THROUGHPUT || this == COST;
    }

    static Scenario of(String key) {
      for (Scenario s : values()) {
        if (s.key.equals(key)) {
          return s;
        }
      }
      throw new IllegalArgumentException("no scenario " + key);
    }
  }

  /** The target load of the throughput scenario: enough in flight that the server is the limit. */
  static final Load PIPELINED = Load.sustained(100, 64, 16);

  private static final List<String> EVERY_SERVER =
      Contender.ALL.stream().map(Contender::name).toList();

  static Settings fullRun() {
    return new Settings(
        false,
        EnumSet.allOf(Scenario.class),
        EVERY_SERVER,
        EVERY_SERVER,
        5,
        3,
        5,
        0.3,
        1.0,
        List.of(
            Load.sustained(1, 64, 1),
            Load.sustained(100, 64, 1),
            Load.sustained(1, 16 * 1024, 1),
            Load.sustained(10, 16 * 1024, 1),
            Load.sustained(100, 16 * 1024, 1),
            PIPELINED),
        List.of(1, 10, 50, 100),
        20_000,
        List.of(10, 100, 1000),
        0.4,
        1.5,
        1.0,
        10_000,
        5,
        2,
        256L << 20,
        2,
        0.4);
  }

  static Settings quickRun() {
    List<String> fourOfThem = Contender.THREADS_OR_SELECTOR.stream().map(Contender::name).toList();
    return new Settings(
        true,
        EnumSet.allOf(Scenario.class),
        EVERY_SERVER,
        fourOfThem,
        0,
        1,
        1,
        0.05,
        0.2,
        List.of(Load.sustained(1, 64, 1), Load.sustained(10, 16 * 1024, 1)),
        List.of(1, 50),
        20_000,
        List.of(100),
        0.1,
        0.25,
        0,
        300,
        0.5,
        0.1,
        16L << 20,
        0.25,
        0.1);
  }

  /** This run, taking only {@code keys} of the scenarios. */
  Settings onlyScenarios(List<String> keys) {
    Set<Scenario> chosen = EnumSet.noneOf(Scenario.class);
    keys.forEach(k -> chosen.add(Scenario.of(k)));
    return new Settings(
        quick,
        chosen,
        contenders,
        focusContenders,
        warmupSeconds,
        rounds,
        judgedRounds,
        rampSeconds,
        windowSeconds,
        throughputLoads,
        concurrencyClients,
        costRate,
        costConnections,
        costRampSeconds,
        costWindowSeconds,
        syscallSeconds,
        idleConnections,
        idleTimeoutSeconds,
        idleCpuSeconds,
        floodBytes,
        floodStallSeconds,
        settleSeconds);
  }

  /** This run, starting only the servers named. */
  Settings onlyContenders(List<String> names) {
    for (String name : names) {
      if (!EVERY_SERVER.contains(name)) {
        throw new IllegalArgumentException("no server " + name + " (" + EVERY_SERVER + ")");
      }
    }
    return new Settings(
        quick,
        scenarios,
        contenders.stream().filter(names::contains).toList(),
        focusContenders.stream().filter(names::contains).toList(),
        warmupSeconds,
        rounds,
        judgedRounds,
        rampSeconds,
        windowSeconds,
        throughputLoads,
        concurrencyClients,
        costRate,
        costConnections,
        costRampSeconds,
        costWindowSeconds,
        syscallSeconds,
        idleConnections,
        idleTimeoutSeconds,
        idleCpuSeconds,
        floodBytes,
        floodStallSeconds,
        settleSeconds);
  }

  /** Whether this run takes every scenario with every server: only such a run writes docs/. */
  boolean complete() {
    return scenarios.size() == Scenario.values().length && contenders.equals(EVERY_SERVER);
  }

  /** The loads of the cost scenario: 64 B messages at the fixed rate, at each connection count. */
  List<Load> costLoads() {
    List<Load> loads = new ArrayList<>();
    for (int connections : costConnections) {
      loads.add(Load.paced(connections, 64, costRate));
    }
    return loads;
  }
}
