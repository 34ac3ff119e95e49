package multiplexing.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The targets, for the console only: the last step alone is judged, each figure as a ratio against
 * Netty in the same run, from the median of the rounds the two took in turns (at least five), with
 * the spread of the round-by-round ratios beside it. The earlier steps are slow on purpose in
 * places and are never judged.
 */
final class Targets {
  static final String JUDGED = Contender.STEP5.name();
  static final String REFERENCE = Contender.NETTY.name();
  static final int MINIMUM_ROUNDS = 5;
  static final double CPU_PER_MESSAGE = 1.05;
  static final double WARM_BURST = 1.10;
  static final double RSS_PER_CONNECTION = 0.50;

  private Targets() {}

  static List<String> check(Results results) {
    List<String> lines = new ArrayList<>();
    for (Load load : results.settings.costLoads()) {
      lines.add(cpuPerMessage(results, load));
    }
    lines.addAll(idle(results));
    return lines;
  }

  /** The ratio of the paired rounds' figures: round i of step 5 over round i of Netty. */
  record Ratio(double median, double min, double max, int rounds) {
    static <T> Optional<Ratio> of(List<T> ours, List<T> theirs, ToDoubleFunction<T> metric) {
      int n = Math.min(ours.size(), theirs.size());
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        double ratio = metric.applyAsDouble(ours.get(i)) / metric.applyAsDouble(theirs.get(i));
        if (Double.isFinite(ratio)) {
          ratios.add(ratio);
        }
      }
      if (ratios.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new Ratio(
              Median.of(ratios, Double::doubleValue),
              ratios.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
              ratios.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
              ratios.size()));
    }

    String describe(double target) {
      return String.format(
          Locale.ROOT,
          "%.2fx Netty's (median of %d rounds; rounds %.2fx to %.2fx), target <= %.2fx: %s",
          median,
          rounds,
          min,
          max,
          target,
          verdict(median <= target, rounds));
    }
  }

  private static String verdict(boolean met, int rounds) {
    String verdict = met ? "met" : "missed";
    return rounds >= MINIMUM_ROUNDS
        ? verdict
        : verdict + " (only " + rounds + " round(s): indicative, not a verdict)";
  }

  private static String cpuPerMessage(Results results, Load load) {
    String what = JUDGED + ", CPU per message at " + load.describe();
    Optional<CostScenario.Cell> ours = results.cost(load, JUDGED);
    Optional<CostScenario.Cell> netty = results.cost(load, REFERENCE);
    if (ours.isEmpty() || netty.isEmpty()) {
      return what + ": not measured in this run";
    }
    return Ratio.of(
            ours.get().rounds(), netty.get().rounds(), CostScenario.Round::millisPerThousand)
        .map(
            r ->
                what
                    + String.format(
                        Locale.ROOT,
                        " (%.2f against %.2f ms per 1,000 msgs): ",
                        ours.get().millisPerThousand(),
                        netty.get().millisPerThousand())
                    + r.describe(CPU_PER_MESSAGE))
        .orElse(what + ": no CPU time measured");
  }

  private static List<String> idle(Results results) {
    List<IdleScenario.Outcome> ours = results.idleRounds(JUDGED);
    List<IdleScenario.Outcome> netty = results.idleRounds(REFERENCE);
    String what =
        String.format(
            Locale.ROOT, "%s, %,d connections", JUDGED, results.settings.idleConnections());
    if (ours.isEmpty() || netty.isEmpty()) {
      return List.of(what + ": not measured in this run");
    }
    List<String> lines = new ArrayList<>();
    long echoedRounds = ours.stream().filter(IdleScenario.Outcome::allEchoed).count();
    lines.add(
        String.format(
            Locale.ROOT,
            "%s: every connection echoed in %d of %d rounds (Netty: %d of %d): %s",
            what,
            echoedRounds,
            ours.size(),
            netty.stream().filter(IdleScenario.Outcome::allEchoed).count(),
            netty.size(),
            verdict(echoedRounds == ours.size(), ours.size())));
    lines.add(
        Ratio.of(ours, netty, IdleScenario.Outcome::burstMillis)
            .map(
                r ->
                    String.format(
                            Locale.ROOT,
                            "%s, warm connect burst (%.0f against %.0f ms): ",
                            what,
                            Median.of(ours, IdleScenario.Outcome::burstMillis),
                            Median.of(netty, IdleScenario.Outcome::burstMillis))
                        + r.describe(WARM_BURST))
            .orElse(what + ", warm connect burst: not timed"));
    lines.add(
        Ratio.of(ours, netty, IdleScenario.Outcome::bytesPerConnection)
            .map(
                r ->
                    String.format(
                            Locale.ROOT,
                            "%s, RSS per connection (%.1f against %.1f KiB): ",
                            what,
                            Median.of(ours, IdleScenario.Outcome::bytesPerConnection) / 1024,
                            Median.of(netty, IdleScenario.Outcome::bytesPerConnection) / 1024)
                        + r.describe(RSS_PER_CONNECTION))
            .orElse(what + ", RSS per connection: too few connections to tell"));
    return lines;
  }
}
