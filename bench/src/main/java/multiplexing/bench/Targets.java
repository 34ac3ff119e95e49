package multiplexing.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The targets, each checked against this run's figures and marked met or missed. Only the last step
 * is tuned for speed, so only it is judged; the others are in the tables for illustration.
 */
final class Targets {
  private static final List<String> JUDGED = List.of("step5");
  private static final Load LARGE = Load.sustained(10, 16 * 1024, 1);

  private Targets() {}

  static List<String> check(Results results) {
    List<String> lines = new ArrayList<>();
    for (String server : JUDGED) {
      lines.add(pipelined(results, server));
      lines.add(large(results, server));
      lines.add(idle(results, server));
    }
    lines.add(saturation(results));
    return lines;
  }

  private static String verdict(boolean met) {
    return met ? "**met**" : "**missed**";
  }

  private static String pipelined(Results results, String server) {
    Optional<ThroughputScenario.Cell> ours = results.cell(Settings.PIPELINED, server);
    Optional<ThroughputScenario.Cell> netty = results.cell(Settings.PIPELINED, "netty");
    if (ours.isEmpty() || netty.isEmpty()) {
      return server + ", " + Settings.PIPELINED.describe() + ": not measured in this run";
    }
    double ratio = ours.get().messagesPerSecond() / netty.get().messagesPerSecond();
    double p99 = ours.get().latencyMicros(99);
    double nettyP99 = netty.get().latencyMicros(99);
    return String.format(
            Locale.ROOT,
            "%s, %s: %.2fx Netty's msgs/s (target 1.0x), p99 %.0f us against Netty's %.0f us: %s",
            server,
            Settings.PIPELINED.describe(),
            ratio,
            p99,
            nettyP99,
            verdict(ratio >= 1.0 && p99 <= nettyP99))
        + capped(ours.get(), netty.get(), ratio);
  }

  // When Netty's row has the generator near a full core too, Netty's figure may be the
  // generator's limit: a faster generator could only raise it. If our row is saturated as well,
  // both are at the machine's limit and the ratio says nothing about the servers.
  private static String capped(
      ThroughputScenario.Cell ours, ThroughputScenario.Cell netty, double ratio) {
    if (!netty.saturated()) {
      return "";
    }
    if (ours.saturated()) {
      return " (both rows saturated: the two cores are the limit, so the ratio is within the"
          + " noise, not a ranking)";
    }
    return ratio < 1.0
        ? " (Netty's row is saturated: its true figure can only be higher, so the gap is at least"
            + " this)"
        : "";
  }

  private static String large(Results results, String server) {
    Optional<ThroughputScenario.Cell> ours = results.cell(LARGE, server);
    if (ours.isEmpty() || results.ratioToNetty(ours.get()).isEmpty()) {
      return server + ", " + LARGE.describe() + ": not measured in this run";
    }
    double ratio = results.ratioToNetty(ours.get()).get();
    return String.format(
            Locale.ROOT,
            "%s, %s: %.2fx Netty's msgs/s (target 0.9x): %s",
            server,
            LARGE.describe(),
            ratio,
            verdict(ratio >= 0.9))
        + results.cell(LARGE, "netty").map(n -> capped(ours.get(), n, ratio)).orElse("");
  }

  private static String idle(Results results, String server) {
    Optional<IdleScenario.Outcome> ours = results.idle(server);
    Optional<IdleScenario.Outcome> netty = results.idle("netty");
    if (ours.isEmpty() || netty.isEmpty()) {
      return server + ", idle connections: not measured in this run";
    }
    IdleScenario.Outcome o = ours.get();
    boolean allEchoed = o.echoed() == o.asked();
    boolean fast = o.burstMillis() < 500;
    boolean smaller = o.rssHeld() < netty.get().rssHeld();
    return String.format(
        Locale.ROOT,
        "%s, %,d connections: %,d of %,d echoed (%s), burst accepted in %.0f ms (target < 500: %s),"
            + " RSS holding them %.0f MiB against Netty's %.0f MiB (%s)",
        server,
        o.asked(),
        o.echoed(),
        o.asked(),
        verdict(allEchoed),
        o.burstMillis(),
        verdict(fast),
        o.rssHeld() / 1048576.0,
        netty.get().rssHeld() / 1048576.0,
        verdict(smaller));
  }

  private static String saturation(Results results) {
    long saturated = results.throughput.stream().filter(ThroughputScenario.Cell::saturated).count();
    return saturated == 0
        ? "Saturation: no load had both the server and the generator near a full core"
        : String.format(
            Locale.ROOT,
            "Saturation: %d (load, server) rows had both near a full core and are marked"
                + " `saturated` above, not ranked",
            saturated);
  }
}
