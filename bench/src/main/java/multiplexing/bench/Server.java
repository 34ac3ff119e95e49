package multiplexing.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import multiplexing.testkit.Launcher;
import multiplexing.testkit.Log;

/**
 * A server in a JVM of its own, started by the testkit's {@link Launcher}, and what /proc says of
 * it. Its log counts the {@code accepted} lines as they come and keeps the first line where it
 * turned a client away or failed, in its words or the JVM's.
 */
final class Server implements AutoCloseable {
  private static final Pattern TROUBLE =
      Pattern.compile("^refused |^stopped by |Failed to start thread|OutOfMemoryError|\\[warning]");

  final Contender contender;
  private final Log log = new Log(100);
  private final Launcher child;
  private volatile String trouble;

  /** Starts {@code command} on port 0, pinned to {@code cpu} unless it is -1. */
  Server(Contender contender, List<String> command, int cpu) {
    this.contender = contender;
    List<String> full = new ArrayList<>(cpu < 0 ? List.of() : List.of("taskset", "-c", "" + cpu));
    full.addAll(command);
    full.add("0");
    log.count("accepted ");
    log.watch(line -> trouble = trouble == null && TROUBLE.matcher(line).find() ? line : trouble);
    try {
      child = Launcher.child(full, log);
    } catch (IOException e) {
      throw new Bench.Failure(contender + " " + e.getMessage());
    }
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", child.port());
  }

  int accepted() {
    return (int) log.count("accepted ");
  }

  long lastAcceptAt() {
    return log.lastAt("accepted ");
  }

  /**
   * Waits until {@code expected} accepts were logged since the count was {@code before}, the time
   * is up, or none came for 3.5 s (a full backlog drops handshakes the client believes done, and
   * the kernel retries them after 1 s, then 3 s); returns the count.
   */
  int awaitAccepts(int before, int expected, long timeoutNanos) {
    long start = System.nanoTime();
    for (long now = start; accepted() - before < expected; now = System.nanoTime()) {
      if (now - start > timeoutNanos || now - Math.max(start, lastAcceptAt()) > 3_500_000_000L) {
        break;
      }
      sleep(2);
    }
    return accepted();
  }

  void awaitQuiet(long quietNanos, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (System.nanoTime() - log.lastLineAt() < quietNanos && System.nanoTime() < deadline) {
      sleep(10);
    }
  }

  /** The first line where it turned a client away or failed, else its last if it exited. */
  String trouble() {
    List<String> last = log.lines();
    boolean exited = trouble == null && !child.isAlive() && !last.isEmpty();
    return exited ? "exited after: " + last.get(last.size() - 1) : trouble;
  }

  boolean isAlive() {
    return child.isAlive();
  }

  @Override
  public void close() {
    child.close();
  }

  long pid() {
    return child.process().pid();
  }

  long status(String field) { // from /proc/PID/status: "VmRSS" (KiB) or "Threads"
    return first(read(Path.of("/proc/" + pid() + "/status")), "(?m)^" + field + ":\\s+(\\d+)");
  }

  /**
   * The CPU time all its threads have run in nanoseconds, the first field of each thread's {@code
   * schedstat}: {@code /proc/PID/stat} and {@code ProcessHandle} count ticks of 10 ms, too coarse
   * for a window of a second or two.
   */
  static long cpuNanos(long pid) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      return tasks.mapToLong(task -> first(read(task.resolve("schedstat")), "(\\d+)")).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  static long first(String text, String regex) { // 0 for no match
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  // By lines: Files.readString() takes some /proc files for a byte long (their size, here).
  static String read(Path file) {
    try {
      return String.join("\n", Files.readAllLines(file));
    } catch (IOException e) {
      return ""; // a thread that ended as we listed it, say
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
