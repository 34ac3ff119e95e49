package multiplexing.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import multiplexing.bench.Results.Idle;
import multiplexing.bench.Results.Round;

/**
 * The targets that judge the last step, each a ratio against Netty in the same run: round i of step
 * 7 over round i of Netty (the two take turns), quoted as the median of the rounds with the lowest
 * and highest beside it. Steps 1 to 6 are slow on purpose in places and never judged.
 */
final class Targets {
  static final String COLUMNS = "target,step7,netty,ratio,lowest,highest,rounds,limit,verdict";
  private static final int MINIMUM_ROUNDS = 5;

  private Targets() {}

  /** One row per target, in {@link #COLUMNS}; none for a target this run did not measure. */
  static List<List<String>> rows(Results results) {
    List<List<String>> rows = new ArrayList<>();
    var cells = Results.cells(results.cost);
    for (Load load : results.run.cost()) {
      List<Round> ours = cells.get(List.of(load, Contender.STEP7));
      List<Round> netty = cells.get(List.of(load, Contender.NETTY));
      if (ours != null && netty != null) {
        String behind = !Results.keptUp(ours) ? "step7" : !Results.keptUp(netty) ? "netty" : null;
        String what = "CPU per message at " + load;
        rows.add(ratio(what, ours, netty, Round::cpuMicros, "%.2f us", 1.05, behind));
      }
    }
    List<Idle> ours = results.idle(Contender.STEP7);
    List<Idle> netty = results.idle(Contender.NETTY);
    if (!ours.isEmpty() && !netty.isEmpty()) {
      String at = " at " + results.run.idleConnections() + " connections";
      long echoed = ours.stream().filter(Idle::allEchoed).count();
      String theirs = netty.stream().filter(Idle::allEchoed).count() + " of " + netty.size();
      String verdict = verdict(echoed == ours.size(), ours.size());
      String n = Integer.toString(ours.size());
      String what = "every connection echoed" + at;
      rows.add(List.of(what, echoed + " of " + n, theirs, "", "", "", n, "every round", verdict));
      what = "warm connect burst" + at;
      rows.add(ratio(what, ours, netty, i -> i.warm().millis(), "%.0f ms", 1.10, null));
      what = "RSS per connection" + at;
      rows.add(ratio(what, ours, netty, Idle::kibPerConnection, "%.1f KiB", 0.50, null));
    }
    return rows;
  }

  // Round i of step 7 over round i of Netty, for each pair that has both figures.
  private static <T> List<String> ratio(
      String what,
      List<T> ours,
      List<T> netty,
      ToDoubleFunction<T> f,
      String unit,
      double limit,
      String behind) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < Math.min(ours.size(), netty.size()); i++) {
      ratios.add(f.applyAsDouble(ours.get(i)) / f.applyAsDouble(netty.get(i)));
    }
    ratios.removeIf(r -> !Double.isFinite(r));
    double median = Results.median(ratios, Double::doubleValue);
    String verdict =
        behind != null
            ? "not ranked: " + behind + " fell behind the rate"
            : ratios.isEmpty() ? "not measured" : verdict(median <= limit, ratios.size());
    return List.of(
        what,
        format(unit, Results.median(ours, f)),
        format(unit, Results.median(netty, f)),
        format("%.2f", median),
        format("%.2f", ratios.stream().mapToDouble(d -> d).min().orElse(Double.NaN)),
        format("%.2f", ratios.stream().mapToDouble(d -> d).max().orElse(Double.NaN)),
        Integer.toString(ratios.size()),
        format("<= %.2f", limit),
        verdict);
  }

  private static String verdict(boolean met, int rounds) {
    String verdict = met ? "met" : "missed";
    return rounds >= MINIMUM_ROUNDS
        ? verdict
        : verdict + " (" + rounds + " round(s): indicative only)";
  }

  /** A figure as every table writes it; "n/a" for none. */
  static String format(String format, double value) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, format, value);
  }
}
