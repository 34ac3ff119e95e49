package multiplexing.bench;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** The middle of several rounds: one slow round (a noisy neighbour, a GC) does not move it. */
final class Median {
  private Median() {}

  static <T> double of(List<T> rounds, ToDoubleFunction<T> metric) {
    double[] values = rounds.stream().mapToDouble(metric).sorted().toArray();
    if (values.length == 0) {
      return Double.NaN;
    }
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }
}
