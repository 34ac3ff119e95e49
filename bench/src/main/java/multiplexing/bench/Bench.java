package multiplexing.bench;

import io.netty.util.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import multiplexing.bench.LoadGenerator.Load;
import multiplexing.bench.Report.Row;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The bench: starts each server in a JVM of its own, drives it, and writes what it saw. */
@Command(
    name = "bench/run",
    sortOptions = false,
    description = {
      "Puts the seven steps, Netty and a thread per client under load and prints the targets"
          + " that judge step 7. The full run takes about 13 minutes and writes docs/bench/;"
          + " a run of fewer servers writes bench/target/partial/."
    })
public final class Bench implements Callable<Integer> {
  // When this JVM began: the quick run's promise counts from there.
  private static final long STARTED_AT = System.nanoTime();

  /** Why the run cannot go on, in one line. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * How long and how hard a run loads each server: rounds of each measurement (the servers taking
   * turns; tables quote medians), rounds for step 7 and Netty where a target compares them, the
   * warm-up and the counting window in seconds (a fixed rate counts 1.5 windows), the closed-loop
   * loads, the fixed-rate scenario's connections, the idle burst and what the flood sends.
   */
  record Run(
      int rounds,
      int judgedRounds,
      double warmUp,
      double window,
      List<Load> throughput,
      List<Integer> costConnections,
      int idleConnections,
      long floodBytes) {
    static final int COST_RATE = 20_000;
    static final Run FULL =
        new Run(
            3,
            5,
            5,
            1,
            List.of(
                Load.sustained(1, 64, 1),
                Load.sustained(100, 64, 1),
                Load.sustained(100, 64, 16),
                Load.sustained(1, 16 * 1024, 1),
                Load.sustained(10, 16 * 1024, 1),
                Load.sustained(100, 16 * 1024, 1)),
            List.of(10, 100, 1000),
            10_000,
            1L << 28);
    static final Run QUICK =
        new Run(
            1,
            1,
            0,
            0.2,
            List.of(Load.sustained(1, 64, 1), Load.sustained(10, 16 * 1024, 1)),
            List.of(100),
            300,
            1L << 24);

    List<Load> cost() {
      return costConnections.stream().map(c -> Load.paced(c, COST_RATE)).toList();
    }

    /** How long a server must print nothing to have finished with a burst. */
    double settle() {
      return Math.min(0.4, window / 2);
    }
  }

  @Option(names = "--quick", description = "each scenario once and small: under 30 s")
  boolean quick;

  @Option(names = "--servers", split = ",", description = "only these: ${COMPLETION-CANDIDATES}")
  List<Contender> servers;

  @Option(names = "--jdk21", paramLabel = "PATH", description = "the JDK 21+ every server runs on")
  String jdk21;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "this help")
  boolean help;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Bench()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler((e, a) -> fail(e.getMessage() + " (--help for usage)", 2));
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          Throwable why = e instanceof CompletionException ? e.getCause() : e;
          if (!(why instanceof Failure)) {
            why.printStackTrace();
          }
          return fail(why instanceof Failure ? why.getMessage() : why.toString(), 1);
        });
    System.exit(cli.execute(args));
  }

  private static int fail(String why, int status) {
    System.err.println("bench: " + why);
    return status;
  }

  @Override
  public Integer call() throws IOException {
    Path root = Path.of("").toAbsolutePath();
    if (!Files.isDirectory(root.resolve("step1-blocking"))) {
      throw new Failure(
          "run the bench from the repository's root (no step1-blocking in " + root + ")");
    }
    List<Contender> chosen =
        new ArrayList<>(servers == null ? List.of(Contender.values()) : EnumSet.copyOf(servers));
    // Every server runs on one JDK, so that the JDK is not what differs between two rows.
    Jdk jdk = Jdk.running();
    try {
      jdk = Jdk.find(jdk21, jdk, System.getenv("JAVA_HOME"), Jdk.FOLDERS);
    } catch (Failure e) {
      if (!quick && chosen.contains(Contender.VTHREADS)) {
        throw new Failure(e.getMessage() + " (or --servers without them)");
      }
      System.out.println(chosen.remove(Contender.VTHREADS) ? "skipped: " + e.getMessage() : "");
    }
    boolean complete = chosen.size() == Contender.values().length;
    String kind =
        quick
            ? "quick run: one round, cold, indicative only"
            : complete ? "full run" : "partial run";
    Path output =
        root.resolve(
            quick ? "bench/target/quick" : complete ? "docs/bench" : "bench/target/partial");
    List<Contender> focus =
        quick ? chosen.stream().filter(Contender.FOUR::contains).toList() : chosen;
    Path written = measure(quick ? Run.QUICK : Run.FULL, chosen, focus, jdk, kind, root, output);
    progress("written: %s, its CSV files and charts", written);
    return 0;
  }

  /**
   * Measures the {@code chosen} servers, running the fixed-rate, idle and flood scenarios on the
   * {@code focus} alone, writes the page into {@code output} and prints the targets.
   */
  static Path measure(
      Run run,
      List<Contender> chosen,
      List<Contender> focus,
      Jdk jdk,
      String kind,
      Path root,
      Path output)
      throws IOException {
    checkLimits(
        Files.readString(Path.of("/proc/self/limits")),
        Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")),
        run.idleConnections() + 200);
    // bench/run pins this JVM to CPU 0 and asks for every server on CPU 1, where there are two.
    int cpu = Integer.getInteger("bench.serverCpu", -1);
    Function<Contender, Server> start = c -> new Server(c, c.command(root, jdk.java()), cpu);
    String netty = Version.identify().get("netty-transport").artifactVersion();
    String setup =
        String.format(
            "servers on JDK %s%s, the bench on JDK %s, Netty %s",
            jdk.version(), cpu < 0 ? "" : " and CPU " + cpu, Runtime.version(), netty);
    progress("%s: %s on JDK %s", kind, chosen, jdk.version());
    List<Row> rows = new ArrayList<>();
    // Throughput and cost share one warmed JVM per server, started side by side; the idle and
    // flood scenarios weigh memory, so each of their rounds starts a fresh one.
    List<CompletableFuture<Server>> starting = new ArrayList<>();
    for (Contender c : chosen) {
      starting.add(CompletableFuture.supplyAsync(() -> start.apply(c), r -> new Thread(r).start()));
    }
    try {
      List<Server> shared = starting.stream().map(CompletableFuture::join).toList();
      if (run.warmUp() > 0) {
        progress("warming each server for %.0f s", run.warmUp());
        Measure.warmUp(shared, run.warmUp());
      }
      progress("throughput: %s, %d round(s)", run.throughput(), run.rounds());
      rows.addAll(Measure.rounds(shared, run.throughput(), run.rounds(), run));
      progress(
          "cost: %s, %d round(s), %d for step7 and netty",
          run.cost(), run.rounds(), run.judgedRounds());
      List<Server> paced = shared.stream().filter(s -> focus.contains(s.contender)).toList();
      rows.addAll(Measure.rounds(paced, run.cost(), run.judgedRounds(), run));
      for (Server server : shared) {
        if (!server.isAlive()) {
          throw new Failure(
              server.contender + " " + server.trouble() + " in the middle of the run");
        }
      }
    } finally {
      // Each server that started, the ones still starting included, once they have.
      starting.forEach(s -> s.thenAccept(Server::close));
    }
    progress("idle: %d connections in one burst, then one echo each, twice", run.idleConnections());
    rows.addAll(Measure.idle(focus, start, run));
    progress("flood: one client sends %d MiB and never reads", run.floodBytes() >> 20);
    // Step 2 drops what a socket does not take at once: its memory would tell us nothing.
    for (Contender c : focus.stream().filter(c -> c != Contender.STEP2).toList()) {
      try (Server server = start.apply(c)) {
        rows.add(Measure.flood(server, run));
      }
    }
    Path page = Report.write(rows, kind, setup, output, root);
    System.out.printf("%nTargets, step 7 against Netty (%s):%n", kind);
    System.out.print(Report.markdown(List.of(Report.TARGETS.split(","))));
    Report.targets(rows).forEach(row -> System.out.print(Report.markdown(row)));
    return page;
  }

  /**
   * Fails, in one line, where {@code connections} cannot be open at once on each side: from
   * /proc/self/limits (the soft {@code ulimit -n}, which the servers inherit) and {@code
   * net.ipv4.ip_local_port_range} (the ports a connect() may take).
   */
  static void checkLimits(String limits, String portRange, int connections) {
    long openFiles = Server.first(limits, "Max open files +(\\d+)");
    if (openFiles > 0 && openFiles < connections) {
      throw new Failure(
          String.format(
              "ulimit -n is %d, below the %d descriptors this run needs on"
                  + " each side: raise ulimit -Hn (bench/run raises -n to it)",
              openFiles, connections));
    }
    long[] ends =
        java.util.Arrays.stream(portRange.trim().split("\\s+"))
            .mapToLong(Long::parseLong)
            .toArray();
    if (ends.length == 2 && ends[1] - ends[0] + 1 < connections) {
      throw new Failure(
          String.format(
              "ephemeral ports exhausted: net.ipv4.ip_local_port_range is %d-%d,"
                  + " fewer than the %d connections this run opens at once",
              ends[0], ends[1], connections));
    }
  }

  // One line per part of the run, with the seconds since it began.
  static void progress(String format, Object... args) {
    System.out.printf(
        "[%4.0f s] %s%n", (System.nanoTime() - STARTED_AT) / 1e9, String.format(format, args));
  }
}
