package multiplexing.bench;

import io.netty.util.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
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
  static final int COST_RATE = 20_000;
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
   * How long and how hard a run loads each server.
   *
   * @param rounds rounds of each measurement, the servers taking turns; tables quote medians
   * @param judgedRounds rounds step 7 and Netty take where a target compares them
   * @param idlePatienceSeconds how long the idle scenario waits for handshakes, then for echoes
   * @param settleSeconds how long a server must print nothing to have finished with a burst
   * @param floodStallSeconds how long the never-reading client waits for progress
   */
  record Run(
      int rounds,
      int judgedRounds,
      double warmupSeconds,
      double rampSeconds,
      double windowSeconds,
      double costWindowSeconds,
      List<Load> throughput,
      List<Integer> costConnections,
      int idleConnections,
      double idlePatienceSeconds,
      double settleSeconds,
      long floodBytes,
      double floodStallSeconds) {
    static final List<Load> ALL_LOADS =
        List.of(
            Load.sustained(1, 64, 1),
            Load.sustained(100, 64, 1),
            Load.sustained(100, 64, 16),
            Load.sustained(1, 16 * 1024, 1),
            Load.sustained(10, 16 * 1024, 1),
            Load.sustained(100, 16 * 1024, 1));
    static final Run FULL =
        new Run(
            3, 5, 5, 0.4, 1, 1.5, ALL_LOADS, List.of(10, 100, 1000), 10_000, 5, 0.4, 1L << 28, 2);
    static final List<Load> SOME_LOADS = List.of(ALL_LOADS.get(0), ALL_LOADS.get(4));
    static final Run QUICK =
        new Run(1, 1, 0, 0.1, 0.2, 0.25, SOME_LOADS, List.of(100), 300, 2, 0.1, 1L << 24, 0.25);

    List<Load> cost() {
      return costConnections.stream().map(c -> Load.paced(c, COST_RATE)).toList();
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
          if (why instanceof Failure) {
            return fail(why.getMessage(), 1);
          }
          why.printStackTrace();
          return fail(why.toString(), 1);
        });
    System.exit(cli.execute(args));
  }

  private static int fail(String why, int status) {
    System.err.println("bench: " + why);
    return status;
  }

  @Override
  public Integer call() throws IOException {
    Run run = quick ? Run.QUICK : Run.FULL;
    Path root = root();
    List<Contender> chosen =
        new ArrayList<>(servers == null ? List.of(Contender.values()) : EnumSet.copyOf(servers));
    // Every server runs on one JDK, so that the JDK is not what differs between two rows.
    String javaHome = System.getenv("JAVA_HOME");
    Optional<Jdk> found = Jdk.find(jdk21, Jdk.running(), javaHome, Jdk.FOLDERS);
    Jdk jdk = found.orElse(Jdk.running());
    String none = Jdk.none(jdk21, Jdk.running(), javaHome, Jdk.FOLDERS);
    if (found.isEmpty() && chosen.remove(Contender.VTHREADS)) {
      if (!quick) {
        throw new Failure(
            "vthreads need JDK 21 or newer; " + none + " (or --servers without them)");
      }
      System.out.println("vthreads: skipped, they need JDK 21 or newer; " + none);
    }
    boolean complete = chosen.size() == Contender.values().length;
    String kind = complete ? "full run" : "partial run";
    kind = quick ? "quick run: one round, cold, indicative only" : kind;
    Machine machine = Machine.check(run.idleConnections() + 200);
    Map<Contender, List<String>> commands = new EnumMap<>(Contender.class);
    chosen.forEach(c -> commands.put(c, c.command(root, jdk)));
    // bench/run pins this JVM to CPU 0 and asks for every server on CPU 1, where there are two.
    int cpu = Integer.getInteger("bench.serverCpu", -1);
    Function<Contender, Server> start = c -> Server.start(c, commands.get(c), cpu);
    List<Contender> focus =
        quick ? chosen.stream().filter(Contender.FOUR::contains).toList() : chosen;
    Version netty = Version.identify().get("netty-transport");
    String setup =
        String.format(
            "servers on JDK %s%s, the bench on JDK %s, Netty %s",
            jdk.version(),
            cpu < 0 ? "" : " and CPU " + cpu,
            Runtime.version(),
            netty.artifactVersion());
    Results results = new Results(run, setup);
    progress("%s: %s on JDK %s", kind, chosen, jdk.version());

    // Throughput and cost share one warmed JVM per server, started side by side; the idle and
    // flood scenarios weigh memory, so each of their rounds starts a fresh one.
    List<CompletableFuture<Server>> starting = new ArrayList<>();
    for (Contender c : chosen) {
      starting.add(CompletableFuture.supplyAsync(() -> start.apply(c), r -> new Thread(r).start()));
    }
    try {
      List<Server> shared = starting.stream().map(CompletableFuture::join).toList();
      if (run.warmupSeconds() > 0) {
        progress("warming each server for %.0f s", run.warmupSeconds());
        Measure.warmUp(shared, run.warmupSeconds());
      }
      progress("throughput: %s, %d round(s)", run.throughput(), run.rounds());
      results.throughput.addAll(Measure.rounds(shared, run.throughput(), run.rounds(), run));
      progress(
          "cost: %s, %d round(s), %d for step7 and netty",
          run.cost(), run.rounds(), run.judgedRounds());
      List<Server> paced = shared.stream().filter(s -> focus.contains(s.contender)).toList();
      results.cost.addAll(Measure.rounds(paced, run.cost(), run.judgedRounds(), run));
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
    results.idle.addAll(Measure.idle(focus, start, machine, run));
    progress("flood: one client sends %d MiB and never reads", run.floodBytes() >> 20);
    // Step 2 drops what a socket does not take at once: its memory would tell us nothing.
    for (Contender c : focus.stream().filter(c -> c != Contender.STEP2).toList()) {
      try (Server server = start.apply(c)) {
        results.flood.add(Measure.flood(server, run));
      }
    }
    String folder = complete ? "docs/bench" : "bench/target/partial";
    Path output = root.resolve(quick ? "bench/target/quick" : folder);
    progress("written: %s, its CSV files and charts", Report.write(results, kind, output, root));
    System.out.printf("%nTargets, step 7 against Netty (%s):%n", kind);
    System.out.print(Report.markdown(List.of(Targets.COLUMNS.split(","))));
    Targets.rows(results).forEach(row -> System.out.print(Report.markdown(row)));
    return 0;
  }

  // One line per part of the run, with the seconds since it began.
  static void progress(String format, Object... args) {
    System.out.printf(
        "[%4.0f s] %s%n", (System.nanoTime() - STARTED_AT) / 1e9, String.format(format, args));
  }

  /** The repository root: bench/run starts us there; the tests say where it is. */
  static Path root() {
    Path root = Path.of(System.getProperty("bench.root", "")).toAbsolutePath().normalize();
    if (!Files.isDirectory(root.resolve("step1-blocking"))) {
      throw new Failure(
          "run the bench from the repository's root (no step1-blocking in " + root + ")");
    }
    return root;
  }
}
