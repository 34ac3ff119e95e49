package multiplexing.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run of the load generator saw.
 *
 * @param load what it was asked to do
 * @param connected connections that got through the handshake
 * @param finished connections that sent every message they were meant to and got it all back
 * @param messages messages echoed inside the measuring window
 * @param seconds length of the measuring window
 * @param latency round-trip times, in nanoseconds, of the messages counted
 * @param lastEchoNanos from the first connect() to the last echo that came back
 * @param errors failures by kind; empty when every byte came back as sent
 * @param cpu the generator thread's CPU time in the window
 * @param echoed every message that came back, in the window or not
 */
record LoadResult(
    Load load,
    int connected,
    int finished,
    long messages,
    double seconds,
    Histogram latency,
    long lastEchoNanos,
    Map<String, Integer> errors,
    CpuTime cpu,
    long echoed) {

  double messagesPerSecond() {
    return messages / seconds;
  }

  /** Payload echoed per second, one way, in MB (10^6 bytes). */
  double megabytesPerSecond() {
    return messagesPerSecond() * load.messageSize() / 1e6;
  }

  int errorCount() {
    return errors.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Percentile of the round-trip time in microseconds. */
  double latencyMicros(double percentile) {
    return latency.getValueAtPercentile(percentile) / 1000.0;
  }
}
