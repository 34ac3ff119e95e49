package multiplexing.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test in a JVM of its own, so it never shares a process with the load. We read its
 * port from its {@code listening on} line and keep draining its output: a server that logs a line
 * per connection would block on a full pipe.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
  // A client turned away or a server that gave up, in the server's words; and the JVM's own
  // warnings, such as a thread it could not start.
  private static final Pattern TROUBLE = Pattern.compile("^refused |^stopped by ");
  private static final Pattern JVM_TROUBLE =
      Pattern.compile("Failed to start thread|OutOfMemoryError|\\[warning\\]");
  private static final long START_TIMEOUT_SECONDS = 20;
  private static final long ACCEPT_STALL_NANOS = 3_500_000_000L;
  // Children still running, so that a bench stopped by Ctrl-C or a crash does not leave them.
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "servers"));
  }

  private final Contender contender;
  private final Process process;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile long lastAcceptAt;
  private volatile long lastLineAt;
  private final Deque<String> lastLines = new ArrayDeque<>();
  private volatile String firstTrouble;
  private volatile String firstJvmTrouble;

  private ServerProcess(Contender contender, Process process) {
    this.contender = contender;
    this.process = process;
  }

  /**
   * The command that starts {@code contender} with {@code jdk}'s java from {@code classPath}, short
   * of its port.
   */
  static List<String> command(Jdk jdk, Contender contender, String classPath) {
    return List.of(jdk.java().toString(), "-cp", classPath, contender.mainClass());
  }

  /**
   * Starts {@code contender} on port 0 with {@code command} (see {@link #command}), pinned to
   * {@code cpu} when it is 0 or more, and waits for its {@code listening on} line.
   */
  static ServerProcess start(Contender contender, List<String> javaCommand, int cpu)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (cpu >= 0) {
      command.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
    }
    command.addAll(javaCommand);
    command.add("0");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    RUNNING.add(process);
    ServerProcess server = new ServerProcess(contender, process);
    Thread drainer = new Thread(server::drain, contender.name() + "-output");
    drainer.setDaemon(true);
    drainer.start();
    try {
      server.port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      server.close();
      throw new IOException(contender.name() + " did not start: " + server.lastLines(), e);
    } catch (InterruptedException e) {
      server.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + contender.name() + " started", e);
    }
    return server;
  }

  // Reads every line the server prints: the first names its port, later ones count accepts.
  private void drain() {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        lastLineAt = System.nanoTime();
        if (line.startsWith("accepted ")) {
          accepted.incrementAndGet();
          lastAcceptAt = System.nanoTime();
        } else if (firstTrouble == null && TROUBLE.matcher(line).find()) {
          firstTrouble = line;
        } else if (firstJvmTrouble == null && JVM_TROUBLE.matcher(line).find()) {
          firstJvmTrouble = line;
        } else {
          Matcher listening = LISTENING.matcher(line);
          if (!port.isDone() && listening.find()) {
            port.complete(Integer.parseInt(listening.group(2)));
          }
        }
        remember(line);
      }
    } catch (IOException e) {
      remember("(output lost: " + e + ")");
    } finally {
      port.completeExceptionally(new UncheckedIOException(new IOException("server exited")));
    }
  }

  private void remember(String line) {
    synchronized (lastLines) {
      lastLines.addLast(line);
      if (lastLines.size() > 10) {
        lastLines.removeFirst();
      }
    }
  }

  /** The server's last few lines of output, for an error message. */
  String lastLines() {
    synchronized (lastLines) {
      return String.join(" | ", lastLines);
    }
  }

  /**
   * The first line where the server turned a client away or gave up (a thread it could not start,
   * say), or else the JVM's first warning, or null.
   */
  String firstTrouble() {
    return firstTrouble != null ? firstTrouble : firstJvmTrouble;
  }

  Contender contender() {
    return contender;
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port.join());
  }

  /** How many {@code accepted} lines the server has printed so far. */
  int accepted() {
    return accepted.get();
  }

  /**
   * Waits until the server has logged {@code expected} accepts since the count was {@code before},
   * or logged none for a while, or {@code timeoutNanos} passed; returns the count then. A full
   * listen backlog drops handshakes the client believes done, and the kernel retries them after 1
   * s, then 3 s: we wait longer than that for the next accept before giving up.
   */
  int awaitAccepts(int before, int expected, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    long lastProgress = System.nanoTime();
    int seen = accepted.get();
    while (seen - before < expected && System.nanoTime() < deadline) {
      if (System.nanoTime() - lastProgress > ACCEPT_STALL_NANOS) {
        break;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      int now = accepted.get();
      if (now > seen) {
        seen = now;
        lastProgress = System.nanoTime();
      }
    }
    return seen;
  }

  /**
   * Waits until the server has printed nothing for {@code quietNanos} (it logs every accept and
   * every close), at most {@code timeoutNanos}: then it has caught up with the last burst.
   */
  void awaitQuiet(long quietNanos, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (System.nanoTime() - lastLineAt < quietNanos && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** When the latest {@code accepted} line arrived, on the {@link System#nanoTime()} clock. */
  long lastAcceptAt() {
    return lastAcceptAt;
  }

  /** The server JVM's process id. */
  long pid() {
    return process.pid();
  }

  ProcStats stats() {
    return ProcStats.of(process.pid());
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the server by its own handle: SIGTERM runs its shutdown hook; SIGKILL if it hangs. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    RUNNING.remove(process);
  }
}
