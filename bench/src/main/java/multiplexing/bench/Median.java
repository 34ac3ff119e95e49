package multiplexing.bench;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** The middle of several rounds: one slow round (a noisy neighbour, a GC) does not move it. */
final class Median {
  private Median() {}

  static <T> double of(List<T> rounds, ToDoubleFunction<T> metric) {
    double[] values =
        rounds.stream().mapToDouble(metric).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (values.length == 0) {
      return Double.NaN;
    }
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }

  /** How far the rounds lie apart: (max - min) / median; 0 for a single round. */
  static <T> double spread(List<T> rounds, ToDoubleFunction<T> metric) {
    double[] values = rounds.stream().mapToDouble(metric).filter(v -> !Double.isNaN(v)).toArray();
    if (values.length < 2) {
      return 0;
    }
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (double v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double median = of(rounds, metric);
    return median == 0 ? 0 : (max - min) / Math.abs(median);
  }
}
