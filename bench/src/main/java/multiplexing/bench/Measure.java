package multiplexing.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import multiplexing.bench.Bench.Run;
import multiplexing.bench.LoadGenerator.Load;
import multiplexing.bench.Report.Row;

/**
 * The scenarios: echo in a closed loop (throughput) or at a fixed rate (cost per message) on
 * shared, warmed server JVMs; a burst of idle connections and a client that never reads on fresh
 * ones, since memory is what they weigh. Each prints a line per measurement as it goes.
 */
final class Measure {
  static final String THROUGHPUT = "msgs/s,MB/s,p99 us,p99.9 us,server cores,generator cores";
  static final String COST = "CPU us/msg,msgs/s,server cores,p99 us";
  static final String IDLE =
      "connections,echoed,cold burst ms,warm burst ms,RSS before MiB,RSS after MiB,"
          + "KiB per connection,threads";
  static final String FLOOD = "taken MiB,RSS before MiB,RSS after MiB";
  private static final long SECOND = 1_000_000_000L;
  // Both sides near a full core: the machine, not the server, is the limit.
  private static final double SATURATED = 0.92;

  private Measure() {}

  /** Loads every server for the warm-up time, so that its JIT has compiled the loop. */
  static void warmUp(List<Server> servers, double seconds) throws IOException {
    for (Server server : servers) {
      int n = server.contender == Contender.STEP1 ? 1 : 10;
      for (Load load : List.of(Load.sustained(n, 64, 16), Load.sustained(n, 16 * 1024, 1))) {
        try (LoadGenerator generator = connect(server, load)) {
          generator.exchange(0, (long) (seconds * SECOND / 2), 0, () -> {});
        }
      }
    }
  }

  /**
   * Every load against every server that takes it (step 1 only one connection), {@code
   * run.rounds()} rounds each, then step 7 and Netty alone up to {@code judgedRounds}; each round
   * starts with a different server, so that none always runs first or last.
   */
  static List<Row> rounds(List<Server> servers, List<Load> loads, int judgedRounds, Run run)
      throws IOException {
    List<Row> rows = new ArrayList<>();
    for (Load load : loads) {
      for (int round = 0; round < Math.max(run.rounds(), judgedRounds); round++) {
        for (Server server : turns(servers, round, round < run.rounds(), s -> s.contender)) {
          if (server.contender != Contender.STEP1 || load.connections() == 1) {
            rows.add(print(window(server, load, run)));
          }
        }
      }
    }
    return rows;
  }

  // The servers that take this round (past the common rounds, step 7 and Netty), rotated.
  private static <T> List<T> turns(
      List<T> servers, int round, boolean all, Function<T, Contender> c) {
    List<T> turns = new ArrayList<>(servers);
    turns.removeIf(s -> !all && !c.apply(s).judged());
    Collections.rotate(turns, -round);
    return turns;
  }

  private static Row print(Row row) {
    StringBuilder figures = new StringBuilder();
    row.figures()
        .forEach((name, value) -> figures.append(", " + name + " " + Report.format(value)));
    System.out.printf(
        "  %-24s %-8s %s %s%n", row.load(), row.server(), figures.substring(2), row.note());
    return row;
  }

  // One window of the load, the CPU of the server and of this JVM (the generator) read as it opens
  // and closes: it covers exactly the messages counted.
  private static Row window(Server server, Load load, Run run) throws IOException {
    long[] at = new long[6];
    int[] taken = {0};
    Runnable sample =
        () -> {
          at[taken[0]++] = System.nanoTime();
          at[taken[0]++] = Server.cpuNanos(server.pid());
          at[taken[0]++] = Server.cpuNanos(ProcessHandle.current().pid());
        };
    long window = (long) ((load.rate() > 0 ? 1.5 : 1) * run.window() * SECOND);
    try (LoadGenerator g = connect(server, load)) {
      g.exchange((long) (run.window() * 0.4 * SECOND), window, 0, sample);
      double wall = taken[0] < 6 ? Double.NaN : at[3] - at[0];
      double cores = (at[4] - at[1]) / wall;
      double generator = (at[5] - at[2]) / wall;
      double rate = g.perSecond(window);
      String errors = Report.errors(g.errors);
      Contender c = server.contender;
      if (load.rate() == 0) {
        boolean saturated = cores >= SATURATED && generator >= SATURATED;
        String note = errors + (saturated ? " saturated: " + Report.NOT_RANKED : "");
        double mb = rate * load.size() / 1e6;
        return Row.of(
            "throughput",
            load,
            c,
            note,
            THROUGHPUT,
            rate,
            mb,
            g.micros(99),
            g.micros(99.9),
            cores,
            generator);
      }
      // A server that fell behind reads several messages at once, which makes each look cheaper.
      int late = g.errors.getOrDefault(LoadGenerator.LATE, 0);
      boolean behind = rate < 0.97 * load.rate() || late > g.counted / 1000;
      String note = errors + (behind ? " fell behind the rate: " + Report.NOT_RANKED : "");
      double micros = (at[4] - at[1]) / 1e3 / g.counted;
      return Row.of("cost", load, c, note, COST, micros, rate, cores, g.micros(99));
    }
  }

  // Opens the connections 32 at a time and returns once the server has accepted them all: these
  // loads measure echo, and a handshake dropped by a full backlog would join mid-window.
  static LoadGenerator connect(Server server, Load load) throws IOException {
    int before = server.accepted();
    LoadGenerator generator = new LoadGenerator(server.address(), load, 32, 10 * SECOND);
    server.awaitAccepts(before, generator.awaitConnected(10 * SECOND), 10 * SECOND);
    return generator;
  }

  /**
   * The idle scenario's rounds, a fresh server each: every server but step 1 takes the first, step
   * 7 and Netty take turns for the rest.
   */
  static List<Row> idle(List<Contender> servers, Function<Contender, Server> start, Run run)
      throws IOException {
    List<Row> rows = new ArrayList<>();
    List<Contender> taking = servers.stream().filter(c -> c != Contender.STEP1).toList();
    for (int round = 0; round < run.judgedRounds(); round++) {
      for (Contender c : turns(taking, round, round == 0, c -> c)) {
        try (Server server = start.apply(c)) {
          rows.add(print(idle(server, run)));
        }
      }
    }
    return rows;
  }

  /**
   * A fresh server takes {@code run.idleConnections()} in one burst, twice: cold, to weigh what
   * they cost in memory (KiB per connection: what the burst added to RSS once echoed, over those
   * accepted) and threads; then warm, its accept path compiled, to time it from the first {@code
   * connect()} to its last {@code accepted} line.
   */
  static Row idle(Server server, Run run) throws IOException {
    int asked = run.idleConnections();
    long before = server.status("VmRSS");
    Burst cold = burst(server, asked);
    // Let the server finish with the first burst's hang-ups, so that the second counts its own.
    server.awaitQuiet((long) (run.settle() * SECOND), 5 * SECOND);
    Burst warm = burst(server, asked);
    long echoed = Math.min(cold.echoed(), warm.echoed());
    String trouble = echoed == asked || server.trouble() == null ? "" : "; " + server.trouble();
    double perConnection =
        cold.accepted() < asked / 10 ? Double.NaN : (cold.rss() - before) / cold.accepted();
    return Row.of(
        "idle",
        asked + " connections",
        server.contender,
        warm.errors() + trouble,
        IDLE,
        asked,
        echoed,
        cold.ms(),
        warm.ms(),
        before / 1024.0,
        cold.rss() / 1024.0,
        perConnection,
        cold.threads());
  }

  // One burst: connections the server's log accepted, and echoed; ms from the first connect() to
  // the last accepted line; RSS in KiB once they echoed; threads holding them.
  private record Burst(
      double accepted, long echoed, double ms, long rss, long threads, String errors) {}

  private static Burst burst(Server server, int asked) throws IOException {
    int before = server.accepted();
    try (LoadGenerator g =
        new LoadGenerator(server.address(), new Load(asked, 64, 1, 1, 0), 0, 5 * SECOND)) {
      int accepted = server.awaitAccepts(before, g.awaitConnected(5 * SECOND), 5 * SECOND) - before;
      double ms = accepted == 0 ? Double.NaN : (server.lastAcceptAt() - g.connectStartedAt) / 1e6;
      long threads = server.status("Threads");
      g.exchange(0, 0, 5 * SECOND, () -> {});
      String errors = Report.errors(g.errors);
      if (errors.contains("Cannot assign requested address")) {
        throw new Bench.Failure("ephemeral ports exhausted: " + errors);
      }
      return new Burst(accepted, g.echoed, ms, server.status("VmRSS"), threads, errors);
    }
  }

  /**
   * One client sends {@code run.floodBytes()} and never reads: an unbounded queue keeps it all, a
   * bounded server stops reading it, a thread per client blocks in write().
   */
  static Row flood(Server server, Run run) throws IOException {
    long before = server.status("VmRSS");
    long sent = 0;
    boolean stalled = false;
    // What it sends does not matter: nothing comes back to check.
    ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
    try (SocketChannel client = SocketChannel.open(server.address());
        Selector selector = Selector.open()) {
      client.configureBlocking(false);
      client.register(selector, SelectionKey.OP_WRITE);
      long start = System.nanoTime();
      long lastProgress = start;
      while (sent < run.floodBytes() && !stalled && System.nanoTime() - start < 60 * SECOND) {
        int n =
            client.write(
                chunk.clear().limit((int) Math.min(chunk.capacity(), run.floodBytes() - sent)));
        sent += n;
        lastProgress = n > 0 ? System.nanoTime() : lastProgress;
        stalled = System.nanoTime() - lastProgress > run.settle() * 5 * SECOND;
        // We never read, so nothing else can happen on this socket: wait for room to write.
        selector.select(20);
        selector.selectedKeys().clear();
      }
      // It may still be working through what the socket buffers hold; a thread per client blocks
      // in write() with it, so we look before we hang up.
      server.awaitQuiet((long) (run.settle() * SECOND), SECOND);
      Server.sleep((long) (run.settle() * 1000));
      double after = server.status("VmRSS") / 1024.0;
      String note = stalled ? "stopped reading" : "";
      return print(
          Row.of(
              "flood",
              "one client",
              server.contender,
              note,
              FLOOD,
              sent / 1048576.0,
              before / 1024.0,
              after));
    }
  }
}
