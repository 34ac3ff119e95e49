package multiplexing.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import multiplexing.bench.ProcStats.CpuTime;
import multiplexing.bench.Results.Burst;
import multiplexing.bench.Results.Flood;
import multiplexing.bench.Results.Idle;
import multiplexing.bench.Results.Round;

/**
 * The scenarios: echo in a closed loop (throughput) or at a fixed rate (cost per message) on
 * shared, warmed server JVMs; a burst of idle connections and a client that never reads on fresh
 * ones, since memory is what they weigh. Each prints a line per measurement as it goes.
 */
final class Measure {
  private static final long SECOND = 1_000_000_000L;
  private static final long CONNECT_TIMEOUT = 10 * SECOND;

  private Measure() {}

  /** Loads every server for the warm-up time, so that its JIT has compiled the loop. */
  static void warmUp(List<Server> servers, double seconds) {
    for (Server server : servers) {
      int connections = server.contender.oneClientAtATime() ? 1 : 10;
      measure(server, Load.sustained(connections, 64, 16), 0, (long) (seconds * SECOND / 2));
      measure(server, Load.sustained(connections, 16 * 1024, 1), 0, (long) (seconds * SECOND / 2));
    }
  }

  /**
   * Every load against every server that takes it (step 1 only one connection), {@code
   * run.rounds()} rounds each, then step 7 and Netty alone up to {@code judgedRounds}.
   */
  static List<Round> rounds(
      List<Server> servers, List<Load> loads, int judgedRounds, Bench.Run run) {
    List<Round> rounds = new ArrayList<>();
    for (Load load : loads) {
      long ramp = (long) (run.rampSeconds() * SECOND);
      long window =
          (long) ((load.isPaced() ? run.costWindowSeconds() : run.windowSeconds()) * SECOND);
      for (int round = 0; round < Math.max(run.rounds(), judgedRounds); round++) {
        boolean all = round < run.rounds();
        for (Server server : turns(servers, round, s -> all || s.contender.judgedOrReference())) {
          if (!server.contender.oneClientAtATime() || load.connections() == 1) {
            Round o = measure(server, load, ramp, window);
            rounds.add(o);
            System.out.println("  " + o);
          }
        }
      }
    }
    return rounds;
  }

  // Those of the servers that take this round, each round starting with a different one, so that
  // none always runs first or last.
  private static <T> List<T> turns(List<T> servers, int round, Predicate<T> taking) {
    List<T> turns = new ArrayList<>(servers.stream().filter(taking).toList());
    Collections.rotate(turns, -round);
    return turns;
  }

  // One window of the load, the server's CPU sampled as it opens and closes: it covers exactly the
  // messages counted.
  private static Round measure(Server server, Load load, long ramp, long window) {
    long self = ProcessHandle.current().pid();
    try (LoadGenerator generator = connect(server, load)) {
      List<ProcStats> samples = new ArrayList<>();
      Runnable sample = () -> samples.addAll(List.of(server.precise(), ProcStats.precise(self)));
      LoadGenerator.Result result = generator.exchange(ramp, window, 0, sample);
      if (samples.size() < 4) {
        return new Round(load, server.contender, result, CpuTime.NONE, CpuTime.NONE);
      }
      CpuTime generatorCpu = samples.get(3).since(samples.get(1));
      return new Round(
          load, server.contender, result, samples.get(2).since(samples.get(0)), generatorCpu);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // Opens the connections 32 at a time and returns once the server has accepted them all: these
  // loads measure echo, and a handshake dropped by a full backlog would join mid-window.
  static LoadGenerator connect(Server server, Load load) throws IOException {
    int before = server.accepted();
    LoadGenerator generator = LoadGenerator.connect(server.address(), load, 32, CONNECT_TIMEOUT);
    server.awaitAccepts(before, generator.awaitConnected(CONNECT_TIMEOUT), CONNECT_TIMEOUT);
    return generator;
  }

  /**
   * The idle scenario's rounds, a fresh server each: every server but step 1 takes the first, step
   * 7 and Netty take turns for the rest.
   */
  static List<Idle> idle(
      List<Contender> servers, Function<Contender, Server> start, Machine machine, Bench.Run run)
      throws IOException {
    List<Idle> all = new ArrayList<>();
    List<Contender> taking = servers.stream().filter(c -> !c.oneClientAtATime()).toList();
    for (int round = 0; round < run.judgedRounds(); round++) {
      boolean first = round == 0;
      for (Contender c : turns(taking, round, s -> first || s.judgedOrReference())) {
        try (Server server = start.apply(c)) {
          Idle o = idle(server, run);
          machine.checkPorts(o.warm().errors());
          all.add(o);
          System.out.println("  " + o);
        }
      }
    }
    return all;
  }

  /**
   * A fresh server takes {@code run.idleConnections()} in one burst, twice: cold, to weigh what
   * they cost in memory and threads; then warm, its accept path compiled, to time it.
   */
  static Idle idle(Server server, Bench.Run run) throws IOException {
    long patience = (long) (run.idlePatienceSeconds() * SECOND);
    int asked = run.idleConnections();
    long rssBefore = server.stats().rssBytes();
    Burst cold = burst(server, asked, patience);
    // Let the server finish with the first burst's hang-ups, so that the second counts its own.
    server.awaitQuiet((long) (run.settleSeconds() * SECOND), patience);
    Burst warm = burst(server, asked, patience);
    boolean allEchoed = cold.echoed() == asked && warm.echoed() == asked;
    return new Idle(
        server.contender, asked, rssBefore, cold, warm, allEchoed ? null : server.trouble());
  }

  private static Burst burst(Server server, int asked, long patience) throws IOException {
    int before = server.accepted();
    try (LoadGenerator generator =
        LoadGenerator.connect(server.address(), Load.once(asked), 0, patience)) {
      int accepted =
          server.awaitAccepts(before, generator.awaitConnected(patience), patience) - before;
      double millis =
          accepted == 0 ? Double.NaN : (server.lastAcceptAt() - generator.connectStartedAt) / 1e6;
      ProcStats held = server.stats();
      LoadGenerator.Result echo = generator.exchange(0, 0, patience, () -> {});
      return new Burst(
          accepted, echo.finished(), millis, held, server.stats().rssBytes(), echo.errors());
    }
  }

  /**
   * One client sends {@code run.floodBytes()} and never reads: an unbounded queue keeps it all, a
   * bounded server stops reading it, a thread per client blocks in write().
   */
  static Flood flood(Server server, Bench.Run run) throws IOException {
    long rssBefore = server.stats().rssBytes();
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
        stalled = System.nanoTime() - lastProgress > run.floodStallSeconds() * SECOND;
        // We never read, so nothing else can happen on this socket: wait for room to write.
        selector.select(20);
        selector.selectedKeys().clear();
      }
      // It may still be working through what the socket buffers hold; a thread per client blocks
      // in write() with it, so we look before we hang up.
      server.awaitQuiet((long) (run.settleSeconds() * SECOND), SECOND);
      Server.sleep((long) (run.settleSeconds() * SECOND));
      return new Flood(server.contender, sent, stalled, rssBefore, server.stats().rssBytes());
    }
  }
}
