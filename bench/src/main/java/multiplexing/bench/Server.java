package multiplexing.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import multiplexing.bench.LoadGenerator.Load;
import multiplexing.testkit.Launcher;
import multiplexing.testkit.Log;

/** A server in a JVM of its own, started by the testkit's {@link Launcher}, and its /proc. */
final class Server implements AutoCloseable {
  // The first line where a server turned a client away or failed, in its words or the JVM's.
  private static final Pattern TROUBLE =
      Pattern.compile("^refused |^stopped by |Failed to start thread|OutOfMemoryError|\\[warning]");
  private static final Pattern RELEASE = Pattern.compile("JAVA_VERSION=\"([1-9]\\d[^\"]*)\"");

  /** The servers in the order of the tables: steps 1 to 6 teach, and are never judged. */
  enum Contender {
    STEP1("step1-blocking"),
    STEP2("step2-select-echo"),
    STEP3("step3-read-write-split"),
    STEP4("step4-error-handling"),
    STEP5("step5-backpressure"),
    STEP6("step6-idle-timeout"),
    STEP7("step7-fast-path"),
    NETTY(""),
    THREADS(""),
    VTHREADS("--virtual");

    private final String module; // a step's, or the thread-per-client server's flag

    Contender(String module) {
      this.module = module;
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }

    boolean judged() { // the targets compare step 7 with Netty, round by round, over more rounds
      return this == STEP7 || this == NETTY;
    }

    // Short of its port. A thread per client runs from its source file: the build stays on
    // release 17, and virtual threads need 21. A step whose classes are stale is refused.
    List<String> command(Path root, String java) {
      Path classes = root.resolve(module + "/target/classes");
      Path source = root.resolve(module + "/src/main/java/multiplexing/EchoServer.java");
      String threads = "" + root.resolve("bench/contenders/ThreadPerClientEchoServer.java");
      if (this == NETTY) {
        String path = System.getProperty("java.class.path");
        return List.of(java, "-cp", path, NettyEchoServer.class.getName());
      } else if (compareTo(NETTY) > 0) {
        return Stream.of(java, threads, module).filter(word -> !word.isEmpty()).toList();
      } else if (classes.resolve("multiplexing/EchoServer.class").toFile().lastModified()
          < source.toFile().lastModified()) {
        throw new Bench.Failure(
            module
                + "'s classes are missing or older than its EchoServer.java: bench/run builds them");
      }
      return List.of(java, "-cp", "" + classes, "multiplexing.EchoServer");
    }
  }

  /** A JDK, known by the release file every JDK since 9 carries: finding one starts nothing. */
  record Jdk(Path home, Runtime.Version version) {
    static Stream<Jdk> at(Path home) {
      Matcher m = RELEASE.matcher(read(home.resolve("release")));
      boolean jdk = m.find() && Files.isExecutable(home.resolve("bin/javac"));
      return jdk ? Stream.of(new Jdk(home, Runtime.Version.parse(m.group(1)))) : Stream.empty();
    }

    // The first JDK 21 or newer (virtual threads) of --jdk21's (alone when given), the one running
    // the bench, JAVA_HOME's and the newest in the folder.
    static Jdk find(String flag, Jdk running, String javaHome, Path folder) {
      List<Jdk> found = new ArrayList<>(List.of(running));
      Stream.ofNullable(javaHome).flatMap(home -> at(Path.of(home))).forEach(found::add);
      try (Stream<Path> homes = Files.list(folder)) {
        homes.flatMap(Jdk::at).max(Comparator.comparing(Jdk::version)).ifPresent(found::add);
      } catch (IOException e) {
        // no such folder: no JDK there
      }
      Stream<Jdk> candidates = flag == null ? found.stream() : at(Path.of(flag));
      String home = javaHome == null ? "unset" : javaHome;
      String why =
          String.format(
              "vthreads need JDK 21 or newer: the bench runs on JDK %d,"
                  + " JAVA_HOME is %s and there is none in %s: pass --jdk21=PATH",
              running.version().feature(), home, folder);
      String wrong = flag == null ? why : "--jdk21=" + flag + " is no JDK 21 or newer";
      return candidates
          .filter(j -> j.version().feature() >= 21)
          .findFirst()
          .orElseThrow(() -> new Bench.Failure(wrong));
    }
  }

  final Contender contender;
  private final Log log = new Log(100);
  private final Launcher child;
  private volatile String trouble;
  private volatile long lastLineAt, lastAcceptAt; // on the nanoTime clock

  // On port 0, pinned to the CPU unless it is -1.
  Server(Contender contender, Path root, Jdk jdk, int cpu) {
    this.contender = contender;
    List<String> command =
        new ArrayList<>(cpu < 0 ? List.of() : List.of("taskset", "-c", "" + cpu));
    command.addAll(contender.command(root, "" + jdk.home().resolve("bin/java")));
    command.add("0");
    log.count("accepted ");
    log.watch(
        line -> {
          lastLineAt = System.nanoTime();
          lastAcceptAt = line.startsWith("accepted ") ? lastLineAt : lastAcceptAt;
          trouble = trouble == null && TROUBLE.matcher(line).find() ? line : trouble;
        });
    try {
      child = Launcher.child(command, log);
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
    return lastAcceptAt;
  }

  // Connects batch at a time, or all at once, and returns once the server accepted them all (a
  // handshake dropped by a full backlog would join mid-window), the time is up, or none came for
  // 3.5 s (the kernel retries a dropped handshake after 1 s, then 3 s).
  LoadGenerator connect(Load load, int batch) throws IOException {
    long timeout = batch > 0 ? 10_000_000_000L : 5_000_000_000L;
    int before = accepted();
    LoadGenerator generator = new LoadGenerator(address(), load, batch);
    int expected = generator.awaitConnected(timeout);
    for (long start = System.nanoTime(), now = start; accepted() - before < expected; ) {
      if (now - start > timeout || now - Math.max(start, lastAcceptAt()) > 3_500_000_000L) {
        break;
      }
      LockSupport.parkNanos(2_000_000);
      now = System.nanoTime();
    }
    return generator;
  }

  void awaitQuiet(long quietNanos, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (System.nanoTime() - lastLineAt < quietNanos && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
  }

  /** The first line where it turned a client away or failed, else its last if it exited. */
  String trouble() {
    List<String> last = log.lines();
    boolean exited = trouble == null && !child.isAlive() && !last.isEmpty();
    return exited ? "exited after: " + last.get(last.size() - 1) : trouble;
  }

  @Override
  public void close() {
    child.close();
  }

  boolean isAlive() {
    return child.isAlive();
  }

  long pid() {
    return child.process().pid();
  }

  long status(String field) { // from /proc/PID/status: "VmRSS" (KiB) or "Threads"
    return first(read(Path.of("/proc/" + pid() + "/status")), "(?m)^" + field + ":\\s+(\\d+)");
  }

  // The time all its threads have run, in nanoseconds (schedstat's first field): /proc/PID/stat
  // and ProcessHandle count ticks of 10 ms, too coarse for a window of a second or two.
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
}
