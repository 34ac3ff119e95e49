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
 * A server under load in a JVM of its own, started by the testkit's {@link Launcher}, and what
 * Linux's /proc says about it. Its log keeps the last lines and counts the {@code accepted} ones as
 * they come: a server prints a line per connection, and a pipe nobody drains would block it.
 */
final class Server implements AutoCloseable {
  // A client turned away or a server that gave up, in its words; or the JVM's own, such as a
  // thread it could not start.
  private static final Pattern TROUBLE =
      Pattern.compile(
          "^refused |^stopped by |Failed to start thread|OutOfMemoryError|\\[warning\\]");
  // A full listen backlog drops handshakes the client believes done; the kernel retries them
  // after 1 s, then 3 s: we wait longer than that for the next accept before giving up.
  private static final long ACCEPT_STALL_NANOS = 3_500_000_000L;

  final Contender contender;
  private final Launcher child;
  private final Log log = new Log(100);
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

  /** When the latest {@code accepted} line came, on the {@link System#nanoTime()} clock. */
  long lastAcceptAt() {
    return log.lastAt("accepted ");
  }

  /**
   * Waits until the server has logged {@code expected} accepts since the count was {@code before},
   * or none for a while, or {@code timeoutNanos} passed; returns the count then.
   */
  int awaitAccepts(int before, int expected, long timeoutNanos) {
    long start = System.nanoTime();
    for (long now = start; accepted() - before < expected; now = System.nanoTime()) {
      if (now - start > timeoutNanos
          || now - Math.max(start, lastAcceptAt()) > ACCEPT_STALL_NANOS) {
        break;
      }
      sleep(2);
    }
    return accepted();
  }

  /** Waits until the server has printed nothing for {@code quietNanos}, at most the timeout. */
  void awaitQuiet(long quietNanos, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (System.nanoTime() - log.lastLineAt() < quietNanos && System.nanoTime() < deadline) {
      sleep(10);
    }
  }

  /** The first line where it turned a client away or failed, or its last if it exited. */
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

  /** A figure from {@code /proc/PID/status}: "VmRSS" (in KiB) or "Threads". */
  long status(String field) {
    return first(read(Path.of("/proc/" + pid() + "/status")), "(?m)^" + field + ":\\s+(\\d+)");
  }

  /**
   * The CPU time all its threads have run, in nanoseconds: the first field of each {@code
   * /proc/PID/task/TID/schedstat}. {@code /proc/PID/stat} and {@code ProcessHandle} count ticks of
   * 10 ms, too coarse for windows of a second or two.
   */
  static long cpuNanos(long pid) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      return tasks.mapToLong(task -> first(read(task.resolve("schedstat")), "(\\d+)")).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  // The first group of the first match; 0 for none (a thread that ended as we listed it, say).
  static long first(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  // By lines: Files.readString() takes some /proc files for a byte long (their size, here).
  static String read(Path file) {
    try {
      return String.join("\n", Files.readAllLines(file));
    } catch (IOException e) {
      return "";
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
