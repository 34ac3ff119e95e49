package multiplexing.bench;

import static java.util.stream.Collectors.joining;
import static multiplexing.bench.Server.Contender.STEP1;
import static multiplexing.bench.Server.Contender.STEP2;
import static multiplexing.bench.Server.Contender.STEP7;
import static multiplexing.bench.Server.Contender.VTHREADS;

import io.netty.util.Version;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import multiplexing.bench.LoadGenerator.Load;
import multiplexing.bench.Report.Row;
import multiplexing.bench.Server.Contender;
import multiplexing.bench.Server.Jdk;
import multiplexing.testkit.Scenarios;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The bench: each server in a JVM of its own, echo in a closed loop (throughput) and at a fixed
 * rate (cost per message) on shared, warmed JVMs, then a burst of idle connections and a client
 * that never reads on fresh ones, since memory is what they weigh.
 */
@Command(
    name = "bench/run",
    description =
        "Puts the seven steps, Netty and a thread per client under load and prints the targets"
            + " that judge step 7. The full run takes about 13 minutes and writes docs/bench/.")
public final class Bench implements Callable<Integer> {
  static final String THROUGHPUT = "msgs/s,MB/s,p99 us,p99.9 us,server cores,generator cores";
  static final String COST = "CPU us/msg,msgs/s,server cores,p99 us";
  static final String IDLE =
      "connections,echoed,cold burst ms,warm burst ms,RSS before MiB,"
          + "RSS after MiB,KiB/connection,threads";
  static final String FLOOD = "taken MiB,RSS before MiB,RSS after MiB";
  private static final long STARTED_AT = System.nanoTime();
  private static final long SECOND = 1_000_000_000L;

  /** Why the run cannot go on, in one line. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String why) {
      super(why);
    }
  }

  @Option(names = "--quick", description = "each scenario once and small: under 30 s")
  boolean quick;

  @Option(names = "--jdk21", paramLabel = "PATH", description = "the JDK 21+ every server runs on")
  String jdk21;

  @Option(names = "--help", usageHelp = true, description = "this help")
  boolean help;

  // The full run (small() sets the quick run's): rounds, more for step 7 and Netty where a target
  // compares them; seconds of warm-up, of each counting window, of the silence that ends a burst.
  // The fixed rate is far below every server's limit, so that the CPU per message ranks them.
  int rounds = 3;
  int judgedRounds = 5;
  double warmUp = 5;
  double window = 1;
  double settle = 0.4;
  List<Load> throughput =
      List.of(
          new Load(1, 64, 1),
          new Load(100, 64, 1),
          new Load(100, 64, 16),
          new Load(1, 16384, 1),
          new Load(10, 16384, 1),
          new Load(100, 16384, 1));
  List<Load> cost = List.of(Load.paced(10), Load.paced(100), Load.paced(1000));
  int idleConnections = 10_000;
  long floodBytes = Scenarios.MOST_BYTES;
  Path root = Path.of("").toAbsolutePath();
  // Every server runs on one JDK, so that the JDK is not what differs; bench/run pins this JVM
  // to CPU 0 and asks for every server on CPU 1, where there are two.
  Jdk jdk = new Jdk(Path.of(System.getProperty("java.home")), Runtime.version());
  int cpu = Integer.getInteger("bench.serverCpu", -1);

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Bench());
    cli.setParameterExceptionHandler((e, a) -> fail(e.getMessage() + " (--help for usage)", 2));
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          if (!(e instanceof Failure)) {
            e.printStackTrace();
          }
          return fail(e instanceof Failure ? e.getMessage() : "" + e, 1);
        });
    System.exit(cli.execute(args));
  }

  private static int fail(String why, int status) {
    System.err.println("bench: " + why);
    return status;
  }

  Bench small() {
    rounds = judgedRounds = 1;
    warmUp = 0;
    window = 0.2;
    settle = 0.1;
    throughput = List.of(new Load(1, 64, 1), new Load(10, 16384, 1));
    cost = List.of(Load.paced(100));
    idleConnections = 300;
    floodBytes = 1L << 24;
    return this;
  }

  @Override
  public Integer call() throws IOException {
    List<Contender> servers = new ArrayList<>(List.of(Contender.values()));
    try {
      jdk = Jdk.find(jdk21, jdk, System.getenv("JAVA_HOME"), Path.of("/usr/lib/jvm"));
    } catch (Failure e) {
      if (!quick) {
        throw e;
      }
      servers.remove(VTHREADS);
      System.out.println("skipped " + e.getMessage());
    }
    String kind = quick ? "quick run: one round, cold, indicative only" : "full run";
    // The quick run keeps the fixed rate, idle and flood scenarios for step 7 and its rivals.
    var focus = servers.stream().filter(c -> !quick || c.compareTo(STEP7) >= 0).toList();
    Path folder = root.resolve(quick ? "bench/target/quick" : "docs/bench");
    Path page = (quick ? small() : this).measure(servers, focus, kind, folder);
    progress("written: %s, its CSV files and charts", page);
    return 0;
  }

  /** Measures the servers (the {@code focus} alone after throughput), writes the page there. */
  Path measure(List<Contender> all, List<Contender> focus, String kind, Path folder)
      throws IOException {
    String ports = Server.read(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
    checkLimits(Server.read(Path.of("/proc/self/limits")), ports, idleConnections + 200);
    progress("%s: %s on JDK %s", kind, all, jdk.version());
    List<Row> rows = new ArrayList<>();
    Map<Contender, Server> shared = new EnumMap<>(Contender.class);
    try {
      all.forEach(c -> shared.put(c, new Server(c, root, jdk, cpu)));
      progress("warming each server for %.0f s", warmUp);
      for (Server server : warmUp > 0 ? shared.values() : List.<Server>of()) {
        int n = server.contender == STEP1 ? 1 : 10;
        for (Load load : List.of(new Load(n, 64, 16), new Load(n, 16384, 1))) {
          try (LoadGenerator generator = server.connect(load, 32)) {
            generator.exchange(0, (long) (warmUp * SECOND / 2), () -> {});
          }
        }
      }
      // Step 1 serves one client at a time: a second would wait in its backlog all window long.
      progress("throughput: %s, %d round(s)", throughput, rounds);
      for (Load load : throughput) {
        for (Contender c : turns(all, rounds, rounds)) {
          if (c != STEP1 || load.connections() == 1) {
            rows.add(print(window(shared.get(c), load)));
          }
        }
      }
      progress("cost: %s, %d round(s), %d for step7 and netty", cost, rounds, judgedRounds);
      for (Load load : cost) {
        for (Contender c : turns(focus, rounds, judgedRounds)) {
          if (c != STEP1 || load.connections() == 1) {
            rows.add(print(window(shared.get(c), load)));
          }
        }
      }
      for (Server s : shared.values()) { // its rows would hold nonsense, not a result
        if (!s.isAlive()) {
          throw new Failure(s.contender + " " + s.trouble() + " in the middle of the run");
        }
      }
    } finally {
      shared.values().forEach(Server::close);
    }
    progress("idle: %d connections in one burst, then one echo each, twice", idleConnections);
    for (Contender c : turns(focus.stream().filter(c -> c != STEP1).toList(), 1, judgedRounds)) {
      try (Server server = new Server(c, root, jdk, cpu)) {
        rows.add(print(idle(server)));
      }
    }
    progress("flood: one client sends %d MiB and never reads", floodBytes >> 20);
    // Step 2 drops what a socket does not take at once: its memory would tell us nothing.
    for (Contender c : focus.stream().filter(c -> c != STEP2).toList()) {
      try (Server server = new Server(c, root, jdk, cpu)) {
        rows.add(print(flood(server)));
      }
    }
    String netty = Version.identify().get("netty-transport").artifactVersion();
    String setup =
        String.format(
            "servers on JDK %s%s, the bench on JDK %s, Netty %s",
            jdk.version(), cpu < 0 ? "" : " and CPU " + cpu, Runtime.version(), netty);
    Path page = Report.write(rows, kind, setup, folder, root);
    System.out.printf("%nTargets, step 7 against Netty (%s):%n", kind);
    System.out.print(Report.markdown(Report.TARGETS));
    Report.targets(rows).forEach(row -> System.out.print(Report.markdown(row)));
    return page;
  }

  // From /proc/self/limits (the soft ulimit -n, which the servers inherit) and the ports a
  // connect() may take: can this many connections be open at once on each side?
  static void checkLimits(String limits, String portRange, int connections) {
    long files = Server.first(limits, "Max open files +(\\d+)");
    String[] ends = (portRange + " 0 1000000").trim().split("\\s+");
    if (files > 0 && files < connections) {
      throw new Failure(
          String.format(
              "ulimit -n is %d, below the %d descriptors this run needs on"
                  + " each side: raise ulimit -Hn (bench/run raises -n to it)",
              files, connections));
    } else if (Long.parseLong(ends[1]) - Long.parseLong(ends[0]) + 1 < connections) {
      throw new Failure(
          String.format(
              "ephemeral ports exhausted: net.ipv4.ip_local_port_range is"
                  + " %s-%s, fewer than the %d connections this run opens",
              ends[0], ends[1], connections));
    }
  }

  static void progress(String format, Object... args) {
    double seconds = (System.nanoTime() - STARTED_AT) / 1e9;
    System.out.printf("[%4.0f s] %s%n", seconds, String.format(format, args));
  }

  // Every server in the first `each` rounds, then step 7 and Netty alone up to `most`; each round
  // starts with the next server, so that none always runs first or last.
  private static List<Contender> turns(List<Contender> all, int each, int most) {
    List<Contender> turns = new ArrayList<>();
    for (int round = 0; round < Math.max(each, most); round++) {
      List<Contender> these = new ArrayList<>(all);
      if (round >= each) {
        these.removeIf(c -> !c.judged());
      }
      Collections.rotate(these, -round);
      turns.addAll(these);
    }
    return turns;
  }

  private static Row print(Row row) {
    String figures =
        IntStream.range(0, row.values().length)
            .mapToObj(i -> row.names().get(i) + " " + Report.format(row.values()[i]) + ",")
            .collect(joining(" "));
    System.out.printf("  %-24s %-8s %s %s%n", row.load(), row.server(), figures, row.note());
    return row;
  }

  // One window of the load, the CPU of the server and of this JVM (the generator) read as it opens
  // and closes, so that it covers exactly the messages counted.
  private Row window(Server server, Load load) throws IOException {
    List<long[]> at = new ArrayList<>(); // {time, the server's CPU, ours}
    long pid = server.pid();
    long self = ProcessHandle.current().pid();
    Runnable sample =
        () -> at.add(new long[] {System.nanoTime(), Server.cpuNanos(pid), Server.cpuNanos(self)});
    long nanos = (long) ((load.rate() > 0 ? 1.5 : 1) * window * SECOND);
    try (LoadGenerator g = server.connect(load, 32)) {
      g.exchange((long) (window * 0.4 * SECOND), nanos, sample);
      double wall = at.size() < 2 ? Double.NaN : at.get(1)[0] - at.get(0)[0];
      double cores = wall > 0 ? (at.get(1)[1] - at.get(0)[1]) / wall : Double.NaN;
      double generator = wall > 0 ? (at.get(1)[2] - at.get(0)[2]) / wall : Double.NaN;
      double rate = g.counted / (nanos / 1e9);
      String note = g.errors();
      if (load.rate() == 0) {
        // Both sides near a full core: the machine, not the server, is the limit.
        note += cores > 0.92 && generator > 0.92 ? "; saturated: not ranked" : "";
        double mb = rate * load.size() / 1e6;
        double[] figures = {rate, mb, g.micros(99), g.micros(99.9), cores, generator};
        return new Row("throughput", "" + load, server.contender, note, THROUGHPUT, figures);
      }
      // One that fell behind reads several messages at once, which makes each look cheaper.
      boolean behind = rate < 0.97 * load.rate() || g.late() > g.counted / 1000;
      note += behind ? "; fell behind the rate: not ranked" : "";
      double[] figures = {cores * wall / 1e3 / g.counted, rate, cores, g.micros(99)};
      return new Row("cost", "" + load, server.contender, note, COST, figures);
    }
  }

  // A fresh server takes idleConnections in one burst, twice: cold, to weigh what they add to its
  // memory once echoed (over those accepted) and the threads it holds; then warm, its accept path
  // compiled, to time it.
  private Row idle(Server server) throws IOException {
    long before = server.status("VmRSS");
    double[] cold = burst(server, new StringBuilder());
    // Let the server finish with the first burst's hang-ups, so that the second counts its own.
    server.awaitQuiet((long) (settle * SECOND), 5 * SECOND);
    StringBuilder note = new StringBuilder();
    double[] warm = burst(server, note);
    double echoed = Math.min(cold[1], warm[1]);
    String trouble = echoed == idleConnections ? null : server.trouble();
    note.append(trouble == null ? "" : "; " + trouble);
    double each = cold[0] < idleConnections / 10 ? Double.NaN : (cold[3] - before) / cold[0];
    double[] figures = {
      idleConnections, echoed, cold[2], warm[2], before / 1024.0, cold[3] / 1024, each, cold[4]
    };
    String load = idleConnections + " connections";
    return new Row("idle", load, server.contender, "" + note, IDLE, figures);
  }

  // A burst: {the server's accepts, echoes, ms from the first connect() to its last accept, its RSS
  // in KiB once they echoed, its threads holding them}.
  private double[] burst(Server server, StringBuilder errors) throws IOException {
    int before = server.accepted();
    try (LoadGenerator g = server.connect(new Load(idleConnections, 64, 1), 0)) {
      int accepted = server.accepted() - before;
      double ms = accepted == 0 ? Double.NaN : (server.lastAcceptAt() - g.connectStartedAt) / 1e6;
      long threads = server.status("Threads");
      g.exchange(0, 0, () -> {});
      errors.append(g.errors());
      if (errors.indexOf("Cannot assign requested address") >= 0) {
        throw new Failure("ephemeral ports exhausted: " + errors);
      }
      return new double[] {accepted, g.echoed, ms, server.status("VmRSS"), threads};
    }
  }

  // One client sends floodBytes and never reads: an unbounded queue keeps it all, a bounded
  // server stops reading it, a thread per client blocks in write().
  private Row flood(Server server) throws IOException {
    long before = server.status("VmRSS");
    long sent = 0;
    ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024); // nothing comes back to check
    try (SocketChannel client = SocketChannel.open(server.address())) {
      client.configureBlocking(false);
      long start = System.nanoTime();
      for (long now = start, moved = start; sent < floodBytes; now = System.nanoTime()) {
        if (now - moved > settle * 5 * SECOND || now - start > 60 * SECOND) {
          break;
        }
        int n =
            client.write(chunk.clear().limit((int) Math.min(chunk.capacity(), floodBytes - sent)));
        sent += n;
        moved = n > 0 ? now : moved;
        LockSupport.parkNanos(n > 0 ? 0 : 20_000_000); // the socket is full: let the server read
      }
      // A thread per client may still be blocked in write() with what the buffers hold: we look
      // before we hang up.
      server.awaitQuiet((long) (settle * SECOND), SECOND);
      LockSupport.parkNanos((long) (settle * SECOND));
      double[] figures = {sent / 1048576.0, before / 1024.0, server.status("VmRSS") / 1024.0};
      String note = sent < floodBytes ? "stopped reading" : "";
      return new Row("flood", "one client", server.contender, note, FLOOD, figures);
    }
  }
}
