package multiplexing.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import multiplexing.bench.ProcStats.CpuTime;

/** Everything one run measured, round by round as it came, for the tables, charts and targets. */
final class Results {
  /**
   * One counted window against one server: what the generator saw, the server's CPU, and the
   * generator's own (the bench's JVM) in the same window.
   */
  record Round(
      Load load,
      Contender server,
      LoadGenerator.Result result,
      CpuTime serverCpu,
      CpuTime generatorCpu) {
    /** Server CPU (user + system) per message echoed, in microseconds. */
    double cpuMicros() {
      return perMessage(serverCpu.seconds());
    }

    double userMicros() {
      return perMessage(serverCpu.userSeconds());
    }

    double systemMicros() {
      return perMessage(serverCpu.systemSeconds());
    }

    private double perMessage(double seconds) {
      return result.messages() == 0 ? Double.NaN : seconds * 1e6 / result.messages();
    }

    @Override
    public String toString() {
      String format = "%-24s %-8s %6.0f msgs/s, %5.2f us/msg %s";
      double rate = result.messagesPerSecond();
      return String.format(format, load, server, rate, cpuMicros(), result.errors());
    }
  }

  /**
   * A burst of idle connections, then one echo each: how many the server's log accepted, how many
   * echoed, the milliseconds from the first connect() to its last {@code accepted} line, and its
   * RSS and threads holding them (before they echoed) and its RSS after.
   */
  record Burst(
      int accepted,
      int echoed,
      double millis,
      ProcStats held,
      long rssAfterEcho,
      Map<String, Integer> errors) {}

  /**
   * A fresh server, two bursts: the first (cold) weighs memory and threads, the second (warm, its
   * accept path compiled) is timed.
   *
   * @param trouble the first line where it turned a client away or failed, if any did not echo
   */
  record Idle(Contender server, int asked, long rssBefore, Burst cold, Burst warm, String trouble) {
    /** KiB of RSS each connection costs the server; NaN when too few got in to tell. */
    double kibPerConnection() {
      return cold.accepted() < asked / 10
          ? Double.NaN
          : (cold.rssAfterEcho() - rssBefore) / 1024.0 / cold.accepted();
    }

    boolean allEchoed() {
      return cold.echoed() == asked && warm.echoed() == asked;
    }

    @Override
    public String toString() {
      String format = "%-8s echoed %d, burst %.0f ms, %.1f KiB per connection %s";
      String why = trouble == null ? "" : trouble;
      return String.format(format, server, warm.echoed, warm.millis, kibPerConnection(), why);
    }
  }

  /**
   * A client that never reads: what the server (and the buffers between) took, and whether it
   * stopped.
   */
  record Flood(Contender server, long sent, boolean stalled, long rssBefore, long rssAfter) {}

  final Bench.Run run;
  // What the figures depend on: "servers on JDK 25.0.3, the bench on JDK 17.0.15, Netty 4.2.18".
  final String setup;
  final List<Round> throughput = new ArrayList<>();
  final List<Round> cost = new ArrayList<>();
  final List<Idle> idle = new ArrayList<>();
  final List<Flood> flood = new ArrayList<>();

  Results(Bench.Run run, String setup) {
    this.run = run;
    this.setup = setup;
  }

  /** The rounds of each (load, server), in the order they were first measured. */
  static Map<List<Object>, List<Round>> cells(List<Round> rounds) {
    Map<List<Object>, List<Round>> cells = new LinkedHashMap<>();
    rounds.forEach(
        r -> cells.computeIfAbsent(List.of(r.load(), r.server()), k -> new ArrayList<>()).add(r));
    return cells;
  }

  List<Idle> idle(Contender server) {
    return idle.stream().filter(o -> o.server() == server).toList();
  }

  /**
   * Whether a server kept the fixed rate: within 3 % in the median round, and no more than one send
   * in a thousand skipped for a connection far behind. One that fell behind reads several messages
   * at once, which makes each look cheaper: its row is not ranked.
   */
  static boolean keptUp(List<Round> rounds) {
    var errors = rounds.stream().flatMap(r -> r.result().errors().values().stream());
    long skipped = errors.mapToLong(Integer::longValue).sum();
    long messages = rounds.stream().mapToLong(r -> r.result().messages()).sum();
    double rate = median(rounds, r -> r.result().messagesPerSecond());
    return rate >= 0.97 * rounds.get(0).load().rate() && skipped <= messages / 1000;
  }

  /**
   * The middle of the rounds, NaN left out: one slow round (a GC, a neighbour) does not move it.
   */
  static <T> double median(List<T> rounds, ToDoubleFunction<T> metric) {
    double[] v =
        rounds.stream().mapToDouble(metric).filter(x -> !Double.isNaN(x)).sorted().toArray();
    int mid = v.length / 2;
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }
}
