package multiplexing.bench;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a run will do and about how long it will take, printed before it starts (and alone with
 * {@code --plan}). The durations are what each part took on the 2-core machine the bench was
 * written on; a slower or busier machine takes longer.
 */
final class Plan {
  // Starting a server JVM to its `listening on` line, and stopping it.
  private static final double JVM = 0.3;
  // Each measurement connects and closes its connections, and waits for the last echoes.
  private static final double PER_MEASUREMENT = 0.16;
  private static final double PER_CONNECTION = 0.0004;
  // A traced measurement waits for the tracer to attach, and for it to stop.
  private static final double TRACER = 1.6;
  // Both bursts of 10,000 connections, their echoes and the hang-ups, per server: into a
  // backlog of 4,096; into Java's 50 (handshakes retried by the kernel, echoes waited for until
  // the timeout); into 4,096 with a thread to start per connection.
  private static final double BURSTS_SELECTOR = 9;
  private static final double BURSTS_SMALL_BACKLOG = 26;
  private static final double BURSTS_THREADS = 16;
  // The never-reading client, per server, for 256 MiB.
  private static final double FLOOD = 2.5;
  // The bench's own start, and writing the pages and charts.
  private static final double OWN = 4;

  private Plan() {}

  /** The run's scenarios, one line each with its servers and rounds, and the expected total. */
  static String describe(Settings s, List<Contender> contenders, boolean syscalls) {
    StringBuilder text = new StringBuilder();
    String kind = s.quick() ? "quick run" : s.complete() ? "full run" : "partial run";
    text.append(
        String.format(
            Locale.ROOT,
            "bench: %s, %d servers (%s)%n",
            kind,
            contenders.size(),
            contenders.stream().map(Contender::name).collect(Collectors.joining(", "))));
    List<Contender> focus =
        contenders.stream().filter(c -> s.focusContenders().contains(c.name())).toList();
    double total = OWN;
    if (s.scenarios().stream().anyMatch(Settings.Scenario::sharesJvms)) {
      double seconds = contenders.size() * (JVM + s.warmupSeconds());
      total += seconds;
      text.append(
          line(
              seconds,
              "start %d shared JVMs, %s",
              contenders.size(),
              s.warmupSeconds() > 0
                  ? String.format(Locale.ROOT, "%.0f s of load on each first", s.warmupSeconds())
                  : "no warm-up"));
    }
    if (s.scenarios().contains(Settings.Scenario.CONCURRENCY)) {
      double seconds = 0;
      for (int clients : s.concurrencyClients()) {
        for (Contender c : contenders) {
          // Beyond a backlog of 50, the clients that did not fit retry a second later.
          boolean overflows = clients > 50 && c.role() == Contender.Role.ILLUSTRATION;
          seconds += s.rounds() * (0.05 + (overflows ? 1.0 : 0));
        }
      }
      total += seconds;
      text.append(
          line(
              seconds,
              "concurrency: %s clients at once, %d round(s), every server",
              s.concurrencyClients(),
              s.rounds()));
    }
    if (s.scenarios().contains(Settings.Scenario.THROUGHPUT)) {
      double seconds = 0;
      for (Load load : s.throughputLoads()) {
        long taking = contenders.stream().filter(c -> ThroughputScenario.fits(c, load)).count();
        seconds +=
            taking
                * s.rounds()
                * (s.rampSeconds() + s.windowSeconds() + measurement(load.connections()));
      }
      total += seconds;
      text.append(
          line(
              seconds,
              "throughput: %s; %d round(s) of %.2f s, every server",
              s.throughputLoads().stream().map(Load::describe).collect(Collectors.joining("; ")),
              s.rounds(),
              s.windowSeconds()));
    }
    if (s.scenarios().contains(Settings.Scenario.COST)) {
      List<Contender> taking = focus.stream().filter(CostScenario::fits).toList();
      long judged = taking.stream().filter(Contender::judgedOrReference).count();
      int rounds = Math.min(s.rounds(), s.judgedRounds());
      double seconds = 0;
      double traced = 0;
      for (int connections : s.costConnections()) {
        double each = s.costRampSeconds() + s.costWindowSeconds() + measurement(connections);
        seconds += each * (taking.size() * rounds + judged * (s.judgedRounds() - rounds));
        if (syscalls && s.syscallSeconds() > 0) {
          traced += taking.size() * (s.syscallSeconds() + TRACER + measurement(connections));
        }
      }
      total += seconds + traced;
      text.append(
          line(
              seconds,
              "cost: 64 B at %,d msgs/s over %s connections; %d round(s) of %.1f s, %d for step 5"
                  + " and Netty; %s",
              s.costRate(),
              s.costConnections(),
              rounds,
              s.costWindowSeconds(),
              s.judgedRounds(),
              names(taking, contenders)));
      text.append(
          traced > 0
              ? line(
                  traced,
                  "cost: syscalls per message, a separate traced pass of %.0f s per server and"
                      + " load",
                  s.syscallSeconds())
              : String.format(Locale.ROOT, "         cost: no syscall pass in this run%n"));
    }
    if (s.scenarios().contains(Settings.Scenario.IDLE)) {
      List<Contender> taking = focus.stream().filter(c -> !c.oneClientAtATime()).toList();
      double seconds = 0;
      for (Contender c : taking) {
        int rounds = c.judgedOrReference() ? s.judgedRounds() : 1;
        double bursts =
            switch (c.role()) {
              case ILLUSTRATION -> BURSTS_SMALL_BACKLOG;
              case ALTERNATIVE -> BURSTS_THREADS;
              default -> BURSTS_SELECTOR;
            };
        seconds +=
            rounds
                * (JVM
                    + s.idleCpuSeconds()
                    + 2 * s.settleSeconds()
                    + bursts * s.idleConnections() / 10_000.0);
      }
      total += seconds;
      text.append(
          line(
              seconds,
              "idle: %,d connections, a fresh JVM per round; %d round(s) for step 5 and Netty, 1"
                  + " for the others; %s",
              s.idleConnections(),
              s.judgedRounds(),
              names(taking, contenders)));
    }
    if (s.scenarios().contains(Settings.Scenario.FLOOD)) {
      List<Contender> taking = focus.stream().filter(c -> !c.losesUnsentBytes()).toList();
      double seconds =
          taking.size()
              * (JVM
                  + FLOOD * Math.min(1, (s.floodBytes() >> 20) / 256.0)
                  + s.floodStallSeconds()
                  + s.settleSeconds());
      total += seconds;
      text.append(
          line(
              seconds,
              "flood: one client sends %d MiB and never reads, a fresh JVM each; %s",
              s.floodBytes() >> 20,
              names(taking, contenders)));
    }
    text.append(
        String.format(
            Locale.ROOT,
            "expected: about %s on a quiet 2-core machine%n",
            total < 120
                ? String.format(Locale.ROOT, "%.0f s", total)
                : String.format(Locale.ROOT, "%.0f min", Math.ceil(total / 60))));
    return text.toString();
  }

  // "every server but step1", or the names.
  private static String names(List<Contender> taking, List<Contender> all) {
    List<String> left = all.stream().filter(c -> !taking.contains(c)).map(Contender::name).toList();
    if (left.isEmpty()) {
      return "every server";
    }
    return taking.size() > left.size()
        ? "every server but " + String.join(", ", left)
        : taking.stream().map(Contender::name).collect(Collectors.joining(", "));
  }

  private static double measurement(int connections) {
    return PER_MEASUREMENT + connections * PER_CONNECTION;
  }

  private static String line(double seconds, String format, Object... args) {
    return String.format(
        Locale.ROOT, "  %5.0f s  %s%n", seconds, String.format(Locale.ROOT, format, args));
  }
}
