package multiplexing.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import multiplexing.testkit.Launcher;
import multiplexing.testkit.Log;

/**
 * A server under load in a JVM of its own, started by the testkit's {@link Launcher}. Its log keeps
 * the last lines and counts the {@code accepted} ones as they come: a server prints a line per
 * connection, and a pipe nobody drains would block it.
 */
final class Server implements AutoCloseable {
  private static final String ACCEPTED = "accepted ";
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
  private volatile String trouble;

  private Server(Contender contender, List<String> command) throws IOException {
    this.contender = contender;
    Log log = new Log(100);
    log.count(ACCEPTED);
    log.watch(line -> trouble = trouble == null && TROUBLE.matcher(line).find() ? line : trouble);
    child = Launcher.child(command, log);
  }

  /** Starts {@code command} on port 0, pinned to {@code cpu} unless it is -1. */
  static Server start(Contender contender, List<String> command, int cpu) {
    List<String> full = new ArrayList<>(cpu < 0 ? List.of() : List.of("taskset", "-c", "" + cpu));
    full.addAll(command);
    full.add("0");
    try {
      return new Server(contender, full);
    } catch (IOException e) {
      throw new Bench.Failure(contender + " " + e.getMessage());
    }
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", child.port());
  }

  int accepted() {
    return (int) child.log().count(ACCEPTED);
  }

  /** When the latest {@code accepted} line came, on the {@link System#nanoTime()} clock. */
  long lastAcceptAt() {
    return child.log().lastAt(ACCEPTED);
  }

  /**
   * Waits until the server has logged {@code expected} accepts since the count was {@code before},
   * or none for a while, or {@code timeoutNanos} passed; returns the count then.
   */
  int awaitAccepts(int before, int expected, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    int seen = accepted();
    for (long progress = System.nanoTime(); seen - before < expected; sleep(2_000_000)) {
      long now = System.nanoTime();
      if (now > deadline || now - Math.max(progress, lastAcceptAt()) > ACCEPT_STALL_NANOS) {
        break;
      }
      seen = accepted();
    }
    return seen;
  }

  /** Waits until the server has printed nothing for {@code quietNanos}, at most the timeout. */
  void awaitQuiet(long quietNanos, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (System.nanoTime() - child.log().lastLineAt() < quietNanos
        && System.nanoTime() < deadline) {
      sleep(10_000_000);
    }
  }

  ProcStats stats() {
    return ProcStats.of(child.process().pid());
  }

  ProcStats precise() {
    return ProcStats.precise(child.process().pid());
  }

  /** The first line where it turned a client away or failed, or its exit; null if none. */
  String trouble() {
    List<String> last = child.log().lines();
    return trouble != null || child.isAlive() || last.isEmpty()
        ? trouble
        : "exited after: " + last.get(last.size() - 1);
  }

  boolean isAlive() {
    return child.isAlive();
  }

  static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    child.close();
  }
}
