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
import java.util.concurrent.TimeUnit;

/** The bench: starts each step's server and Netty in JVMs of their own and compares them. */
public final class Bench {
  static final String USAGE = "usage: Bench [--quick] [--out DIR]";
  // The load generator stays on CPU 0 and every server goes to this one, when there are two.
  private static final int SERVER_CPU = 1;

  private final Settings settings;
  private final Path root;
  private final PrintStream out;
  private final Map<Contender, String> classPaths = new LinkedHashMap<>();
  private int serverCpu = -1;
  private long startedAt;

  Bench(Settings settings, Path root, PrintStream out) {
    this.settings = settings;
    this.root = root;
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    Settings settings = Settings.fullRun();
    Path output = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> settings = Settings.quickRun();
        case "--out" -> output = Path.of(args[++i]);
        default -> {
          System.err.println("Bench: unknown argument " + args[i] + " (" + USAGE + ")");
          System.exit(1);
        }
      }
    }
    Path root = findRoot();
    if (output == null) {
      // The full run's figures are the ones the docs show; a quick run must not replace them.
      output = settings.quick() ? root.resolve("bench/target/quick") : root.resolve("docs/bench");
    }
    Bench bench = new Bench(settings, root, System.out);
    int cpus = Runtime.getRuntime().availableProcessors();
    bench.pinToCpuZero(cpus);
    Results results = new Results(settings, Machine.describe(cpus, bench.serverCpu));
    bench.run(results);
    Files.createDirectories(output);
    List<String> charts = List.of();
    try {
      charts = Charts.write(results, output);
    } catch (IOException | RuntimeException | LinkageError e) {
      // A JDK without its desktop module or fonts still gets the tables.
      System.out.println("charts skipped: " + e);
    }
    String markdown = Report.markdown(results, charts);
    Files.writeString(output.resolve("results.md"), markdown, StandardCharsets.UTF_8);
    if (output.equals(root.resolve("docs/bench"))) {
      // Every page in docs/ has a Chinese page in docs/zh, with the same headings.
      Path chinese = root.resolve("docs/zh/bench");
      Files.createDirectories(chinese);
      Files.writeString(
          chinese.resolve("results.md"),
          ChinesePage.from(markdown, "../../bench/"),
          StandardCharsets.UTF_8);
    }
    System.out.println();
    System.out.print(markdown);
    System.out.println("written to " + output.resolve("results.md"));
  }

  /** Runs the four scenarios against every server it finds, filling in {@code results}. */
  void run(Results results) throws IOException {
    startedAt = System.nanoTime();
    List<Contender> contenders = Contender.discover(root);
    Path classes = root.resolve("bench/target/step-classes");
    for (Contender contender : contenders) {
      classPaths.put(
          contender,
          contender.isNetty()
              ? System.getProperty("java.class.path")
              : StepCompiler.compile(contender.module(), classes).toString());
    }
    out.println("bench: " + (settings.quick() ? "quick run" : "full run") + " against " + names());

    // Scenarios 1 and 2 share one warmed JVM per server; 3 and 4 need fresh ones to weigh memory.
    List<ServerProcess> servers = new ArrayList<>();
    try {
      for (Contender contender : contenders) {
        servers.add(start(contender));
      }
      progress("warming each server for %.1f s under load", settings.warmupSeconds());
      ThroughputScenario.warmUp(servers, settings);
      progress("scenario 1/4: N clients, one round trip each, at the same moment");
      results.concurrency.addAll(ConcurrencyScenario.run(servers, settings, out));
      progress("scenario 2/4: throughput, ping-pong and 16 in flight");
      results.throughput.addAll(ThroughputScenario.run(servers, settings, out));
      for (ServerProcess server : servers) {
        if (!server.isAlive()) {
          // Someone else's cleanup can kill our servers: say so rather than show zeros.
          out.println("  " + server.contender().name() + " exited early: " + server.lastLines());
        }
      }
    } finally {
      servers.forEach(ServerProcess::close);
    }

    progress("scenario 3/4: %,d idle connections, then one echo each", settings.idleConnections());
    for (Contender contender : contenders) {
      if (contender.oneClientAtATime()) {
        continue;
      }
      try (ServerProcess server = start(contender)) {
        IdleScenario.Outcome o = IdleScenario.run(server, settings);
        results.idle.add(o);
        out.printf(
            "  %-6s accepted %,d in %.0f ms (cold: %.0f ms), echoed %,d, %s KiB per connection%n",
            contender.name(),
            o.accepted(),
            o.burstMillis(),
            o.coldBurstMillis(),
            o.echoed(),
            Double.isNaN(o.bytesPerConnection())
                ? "n/a"
                : String.format("%.1f", o.bytesPerConnection() / 1024));
      } catch (IOException e) {
        // One server failing to start or to take the burst costs its row, not the run.
        out.println("  " + contender.name() + " skipped: " + e.getMessage());
      }
    }

    progress("scenario 4/4: one client sends %d MiB and never reads", settings.floodBytes() >> 20);
    for (Contender contender : contenders) {
      if (contender.losesUnsentBytes()) {
        continue;
      }
      try (ServerProcess server = start(contender)) {
        FloodScenario.Outcome o = FloodScenario.run(server, settings);
        results.flood.add(o);
        out.printf(
            "  %-6s took %.1f MiB, RSS grew %.0f MiB%n",
            contender.name(), o.sent() / 1048576.0, o.growth() / 1048576.0);
      } catch (IOException e) {
        out.println("  " + contender.name() + " skipped: " + e.getMessage());
      }
    }
    progress("bench: done");
  }

  // One line per step of the run, with the seconds since it began.
  private void progress(String format, Object... args) {
    out.printf(
        "[%4.0f s] %s%n", (System.nanoTime() - startedAt) / 1e9, String.format(format, args));
  }

  private ServerProcess start(Contender contender) throws IOException {
    return ServerProcess.start(contender, classPaths.get(contender), serverCpu);
  }

  private String names() {
    return String.join(", ", classPaths.keySet().stream().map(Contender::name).toList());
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
