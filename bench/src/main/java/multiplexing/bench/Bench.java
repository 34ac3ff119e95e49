package multiplexing.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The bench: starts each server in a JVM of its own, drives it, and writes what it saw. */
public final class Bench {
  static final String USAGE =
      "usage: Bench [--quick] [--plan] [--out DIR] [--jdk21=PATH|none] [--scenarios=a,b]"
          + " [--servers=a,b]";
  // The load generator stays on CPU 0 and every server goes to this one, when there are two.
  private static final int SERVER_CPU = 1;

  private final Settings settings;
  private final Path root;
  private final PrintStream out;
  private final Jdk serverJdk;
  private final Map<Contender, List<String>> commands = new LinkedHashMap<>();
  private int serverCpu = -1;
  // When this JVM began, for the progress lines: the quick run's promise counts from there.
  private static final long STARTED_AT = System.nanoTime();

  Bench(Settings settings, Path root, Jdk serverJdk, PrintStream out) {
    this.settings = settings;
    this.root = root;
    this.serverJdk = serverJdk;
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    Settings settings = Settings.fullRun();
    Path output = null;
    String jdkFlag = null;
    boolean planOnly = false;
    List<String> scenarios = null;
    List<String> servers = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--quick")) {
          settings = Settings.quickRun();
        } else if (arg.equals("--plan")) {
          planOnly = true;
        } else if (arg.equals("--out") && i + 1 < args.length) {
          output = Path.of(args[++i]);
        } else if (arg.startsWith("--jdk21=")) {
          jdkFlag = arg.substring("--jdk21=".length());
        } else if (arg.startsWith("--scenarios=")) {
          scenarios = List.of(arg.substring("--scenarios=".length()).split(","));
        } else if (arg.startsWith("--servers=")) {
          servers = List.of(arg.substring("--servers=".length()).split(","));
        } else {
          throw new IllegalArgumentException("unknown argument " + arg);
        }
      }
      if (scenarios != null) {
        settings = settings.onlyScenarios(scenarios);
      }
      if (servers != null) {
        settings = settings.onlyContenders(servers);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("Bench: " + e.getMessage() + " (" + USAGE + ")");
      System.exit(1);
      return;
    }
    Path root = findRoot();
    PrintStream out = System.out;

    // Virtual threads need JDK 21; every server runs on the JDK we find, so that the JDK is not
    // what differs between two rows.
    Jdk.Search search =
        Jdk.find(jdkFlag, Jdk.running(), System.getenv("JAVA_HOME"), Jdk.usualFolders());
    Jdk serverJdk = search.jdk().orElse(Jdk.running());
    Map<String, String> skipped = new LinkedHashMap<>();
    List<Contender> contenders = new ArrayList<>();
    for (Contender c : Contender.present(root)) {
      if (!settings.contenders().contains(c.name())) {
        continue;
      }
      if (c.minimumJdk() > serverJdk.feature()) {
        skipped.put(c.name(), search.how());
        out.println(
            c.name()
                + ": skipped, virtual threads need JDK "
                + c.minimumJdk()
                + " or newer: "
                + search.how());
      } else {
        contenders.add(c);
      }
    }
    if (search.jdk().isPresent()) {
      out.println(
          "servers run on JDK "
              + serverJdk.version()
              + " ("
              + serverJdk.home()
              + ", found by "
              + search.how()
              + ")");
    }
    Optional<SyscallCounter> counter = Optional.empty();
    String syscallSkip = settings.quick() ? "quick" : "off";
    String syscallHow = "";
    if (settings.scenarios().contains(Settings.Scenario.COST) && settings.syscallSeconds() > 0) {
      SyscallCounter.Search tracer = SyscallCounter.find();
      counter = tracer.counter();
      syscallHow = tracer.how();
      if (counter.isEmpty()) {
        syscallSkip = "unavailable";
        out.println("syscalls per message: skipped, " + tracer.how());
      }
    }

    out.print(Plan.describe(settings, contenders, counter.isPresent()));
    if (planOnly) {
      return;
    }
    if (output == null) {
      // Only a full run of everything writes the pages in docs/; other runs must not replace them.
      output =
          settings.quick()
              ? root.resolve("bench/target/quick")
              : settings.complete()
                  ? root.resolve("docs/bench")
                  : root.resolve("bench/target/partial");
    }
    output = output.toAbsolutePath().normalize();
    Bench bench = new Bench(settings, root, serverJdk, out);
    int cpus = Runtime.getRuntime().availableProcessors();
    bench.compile(contenders);
    bench.pinToCpuZero(cpus);
    Results results = new Results(settings, Machine.describe(cpus, bench.serverCpu, serverJdk));
    results.skipped.putAll(skipped);
    results.syscallTool = counter.isPresent() ? syscallHow : null;
    results.syscallSkip = syscallSkip;
    results.syscallDetail = syscallHow;
    bench.run(contenders, counter, results);
    write(results, root, output);
    bench.progress("pages and charts written");
    out.println();
    out.println("Targets (step 5 against Netty in this run):");
    Targets.check(results).forEach(t -> out.println("- " + t));
  }

  private static void write(Results results, Path root, Path output) throws IOException {
    Files.createDirectories(output);
    List<String> charts = List.of();
    try {
      charts = Charts.write(results, output);
    } catch (IOException | RuntimeException | LinkageError e) {
      // A JDK without its desktop module or fonts still gets the tables.
      System.out.println("charts skipped: " + e);
    }
    String english = Report.markdown(results, charts, new EnglishPage());
    Files.writeString(output.resolve("results.md"), english, StandardCharsets.UTF_8);
    // Every page in docs/ has a Chinese page in docs/zh, with the same headings.
    Path chinese =
        output.equals(root.resolve("docs/bench"))
            ? root.resolve("docs/zh/bench")
            : output.resolve("zh");
    Files.createDirectories(chinese);
    Files.writeString(
        chinese.resolve("results.md"),
        Report.markdown(results, charts, new ChinesePage()),
        StandardCharsets.UTF_8);
    System.out.println();
    System.out.print(english);
    System.out.println(
        "written to " + output.resolve("results.md") + " and " + chinese.resolve("results.md"));
  }

  /**
   * Compiles every server that needs it, before we pin ourselves to one CPU: javac may use both.
   * Each step compiles on a thread of its own, and the one-file servers in a javac process of their
   * own.
   */
  void compile(List<Contender> contenders) throws IOException {
    Path classes = root.resolve("bench/target/server-classes");
    // The one-file servers compile in a javac process of their own while the steps compile here.
    CompletableFuture<Path> oneFileServers =
        StepCompiler.compileWith(
            serverJdk,
            contenders.stream()
                .filter(c -> c.kind() == Contender.Kind.SOURCE_FILE)
                .map(c -> c.sourceFile(root))
                .toList(),
            classes);
    Map<Contender, CompletableFuture<Path>> steps = new LinkedHashMap<>();
    for (Contender contender : contenders) {
      if (contender.kind() == Contender.Kind.STEP) {
        steps.put(contender, StepCompiler.compileAsync(root.resolve(contender.source()), classes));
      }
    }
    for (Contender contender : contenders) {
      if (contender.kind() == Contender.Kind.NETTY) {
        commands.put(
            contender,
            ServerProcess.command(serverJdk, contender, System.getProperty("java.class.path")));
      } else if (contender.kind() == Contender.Kind.STEP) {
        Path stepClasses = StepCompiler.await(steps.get(contender));
        commands.put(
            contender, ServerProcess.command(serverJdk, contender, stepClasses.toString()));
      }
    }
    Path compiled = StepCompiler.await(oneFileServers);
    for (Contender contender : contenders) {
      if (contender.kind() == Contender.Kind.SOURCE_FILE) {
        commands.put(contender, ServerProcess.command(serverJdk, contender, compiled.toString()));
      }
    }
    progress("compiled; servers on JDK %s", serverJdk.version());
  }

  /** Runs the scenarios of the settings against {@code contenders}, filling in {@code results}. */
  void run(List<Contender> contenders, Optional<SyscallCounter> counter, Results results)
      throws IOException {

    // The first three scenarios share one warmed JVM per server; the others need fresh ones to
    // weigh memory.
    if (settings.scenarios().stream().anyMatch(Settings.Scenario::sharesJvms)) {
      List<ServerProcess> servers = new ArrayList<>();
      try {
        for (Contender contender : contenders) {
          servers.add(start(contender));
        }
        progress("warming each server for %.1f s under load", settings.warmupSeconds());
        if (settings.warmupSeconds() > 0) {
          ThroughputScenario.warmUp(servers, settings);
        }
        if (settings.scenarios().contains(Settings.Scenario.CONCURRENCY)) {
          progress("concurrency: %s", Settings.Scenario.CONCURRENCY.title);
          results.concurrency.addAll(ConcurrencyScenario.run(servers, settings, out));
        }
        if (settings.scenarios().contains(Settings.Scenario.THROUGHPUT)) {
          progress("throughput: %s", Settings.Scenario.THROUGHPUT.title);
          results.throughput.addAll(ThroughputScenario.run(servers, settings, out));
        }
        if (settings.scenarios().contains(Settings.Scenario.COST)) {
          progress("cost: 64 B messages at %,d msgs/s, CPU per message", settings.costRate());
          results.cost.addAll(CostScenario.run(servers, settings, counter, out));
        }
        for (ServerProcess server : servers) {
          if (!server.isAlive()) {
            // Someone else's cleanup can kill our servers: say so rather than show zeros.
            out.println("  " + server.contender().name() + " exited early: " + server.lastLines());
          }
        }
      } finally {
        servers.forEach(ServerProcess::close);
      }
    }

    List<Contender> fresh =
        contenders.stream().filter(c -> settings.focusContenders().contains(c.name())).toList();
    if (settings.scenarios().contains(Settings.Scenario.IDLE)) {
      progress(
          "idle: %,d connections in one burst, then one echo each", settings.idleConnections());
      idle(fresh.stream().filter(c -> !c.oneClientAtATime()).toList(), results);
    }
    if (settings.scenarios().contains(Settings.Scenario.FLOOD)) {
      progress("flood: one client sends %d MiB and never reads", settings.floodBytes() >> 20);
      for (Contender contender : fresh) {
        if (contender.losesUnsentBytes()) {
          continue;
        }
        try (ServerProcess server = start(contender)) {
          FloodScenario.Outcome o = FloodScenario.run(server, settings);
          results.flood.add(o);
          out.printf(
              "  %-8s took %.1f MiB, RSS grew %.0f MiB, %d threads%n",
              contender.name(), o.sent() / 1048576.0, o.growth() / 1048576.0, o.threads());
        } catch (IOException e) {
          out.println("  " + contender.name() + " skipped: " + e.getMessage());
        }
      }
    }
    progress("bench: done");
  }

  // Every server takes a first round; step 5 and Netty take turns for the rest of the rounds
  // the targets need. A fresh JVM each round: memory is what we weigh.
  private void idle(List<Contender> contenders, Results results) {
    for (int round = 0; round < settings.judgedRounds(); round++) {
      int r = round;
      List<Contender> turns =
          contenders.stream().filter(c -> r == 0 || c.judgedOrReference()).toList();
      for (int turn = 0; turn < turns.size(); turn++) {
        Contender contender = turns.get((round + turn) % turns.size());
        try (ServerProcess server = start(contender)) {
          IdleScenario.Outcome o = IdleScenario.run(server, settings);
          results.idle.add(o);
          out.printf(
              "  %-8s round %d: accepted %,d in %.0f ms (cold: %.0f ms), echoed %,d, %s KiB per"
                  + " connection, %,d threads, idle CPU %.0f ms/s%s%n",
              contender.name(),
              round + 1,
              o.accepted(),
              o.burstMillis(),
              o.coldBurstMillis(),
              o.echoed(),
              Double.isNaN(o.bytesPerConnection())
                  ? "n/a"
                  : String.format("%.1f", o.bytesPerConnection() / 1024),
              o.threadsHeld(),
              1000 * o.idleCpu().cores(),
              o.trouble() == null ? "" : "; stopped by: " + o.trouble());
        } catch (IOException e) {
          // One server failing to start or to take the burst costs its row, not the run.
          out.println("  " + contender.name() + " skipped: " + e.getMessage());
        }
      }
    }
  }

  // One line per step of the run, with the seconds since it began.
  private void progress(String format, Object... args) {
    out.printf(
        "[%4.0f s] %s%n", (System.nanoTime() - STARTED_AT) / 1e9, String.format(format, args));
  }

  private ServerProcess start(Contender contender) throws IOException {
    return ServerProcess.start(contender, commands.get(contender), serverCpu);
  }

  // Pins this JVM, every thread, to CPU 0, so that the servers get CPU 1 to themselves.
  private void pinToCpuZero(int cpus) {
    if (cpus < 2) {
      return;
    }
    try {
      Process taskset =
          new ProcessBuilder(
                  "taskset", "-a", "-p", "-c", "0", Long.toString(ProcessHandle.current().pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (taskset.waitFor(5, TimeUnit.SECONDS) && taskset.exitValue() == 0) {
        serverCpu = SERVER_CPU;
      }
    } catch (IOException e) {
      // No taskset (macOS, say): we run unpinned and say so in the machine description.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The repository root: the folder above the step modules, from wherever we were started. */
  static Path findRoot() throws IOException {
    String configured = System.getProperty("bench.root");
    if (configured != null) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("bench/pom.xml"))
          && Files.isDirectory(dir.resolve("step1-blocking"))) {
        return dir;
      }
    }
    throw new IOException("run the bench from inside the repository (no step1-blocking found)");
  }
}
