package multiplexing.bench;

import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The load generator: one thread and one {@link Selector} drive many echo connections, the client
 * side of the servers' loop. Each connection keeps a few messages in flight and checks every byte.
 */
final class LoadGenerator implements Closeable {
  // After the window closes we stop sending and wait this long for the last echoes.
  private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final Load load;
  private final Selector selector;
  private final List<EchoConnection> connections = new ArrayList<>();
  // One read buffer serves every connection: we check the bytes before reading the next key.
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
  private final Map<String, Integer> errors = new TreeMap<>();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  private long connectStartedAt;
  private int connecting;
  // Connections neither done nor failed, so that the loop need not walk them all on each pass.
  private int unsettled;
  private boolean sending;
  // Only messages that come back inside [countFrom, countUntil) are counted and timed.
  private long countFrom = Long.MAX_VALUE;
  private long countUntil = Long.MAX_VALUE;
  private long counted;
  private long echoed;
  private long lastEchoAt;
  // At a fixed rate: when the schedule began, how many sends it has made, and when the next is due.
  private long scheduleStart;
  private long scheduled;
  private long nextDueAt;

  private LoadGenerator(Load load, Selector selector) {
    this.load = load;
    this.selector = selector;
  }

  /** Starts every connection's handshake at once and returns without waiting for them. */
  static LoadGenerator connect(InetSocketAddress server, Load load) throws IOException {
    LoadGenerator generator = prepared(load);
    // Sockets are ready beforehand, so the burst is connect() calls alone, as close together as
    // one thread can issue them.
    generator.connectStartedAt = System.nanoTime();
    for (EchoConnection connection : generator.connections) {
      generator.startConnect(connection, server);
    }
    return generator;
  }

  /**
   * Connects {@code batch} connections at a time and waits for each batch's handshakes, so that no
   * burst overflows a small listen backlog: for loads that measure echo, not accept.
   */
  static LoadGenerator connectInBatches(
      InetSocketAddress server, Load load, int batch, long timeoutNanos) throws IOException {
    LoadGenerator generator = prepared(load);
    generator.connectStartedAt = System.nanoTime();
    List<EchoConnection> all = new ArrayList<>(generator.connections);
    for (int from = 0; from < all.size(); from += batch) {
      for (EchoConnection connection : all.subList(from, Math.min(all.size(), from + batch))) {
        generator.startConnect(connection, server);
      }
      generator.awaitConnected(timeoutNanos);
    }
    return generator;
  }

  private static LoadGenerator prepared(Load load) throws IOException {
    LoadGenerator generator = new LoadGenerator(load, Selector.open());
    for (int id = 0; id < load.connections(); id++) {
      generator.prepare(id);
    }
    return generator;
  }

  private void prepare(int id) {
    SocketChannel channel;
    try {
      channel = SocketChannel.open();
    } catch (IOException e) {
      // Out of descriptors: the run goes on with the connections it has.
      count("connect failed: " + e.getMessage());
      return;
    }
    EchoConnection connection =
        new EchoConnection(id, channel, load.messageSize(), load.inFlight());
    connections.add(connection);
    unsettled++;
    try {
      channel.configureBlocking(false);
      // Our messages are whole and should leave now: Nagle's algorithm would hold them back.
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    } catch (IOException e) {
      fail(connection, "connect failed: " + e.getMessage());
    }
  }

  // A non-blocking connect() returns at once; OP_CONNECT tells us when the handshake is done.
  private void startConnect(EchoConnection connection, InetSocketAddress server) {
    if (connection.state != EchoConnection.State.NEW) {
      return;
    }
    connection.state = EchoConnection.State.CONNECTING;
    connecting++;
    try {
      // Registered only now: a socket that is not connecting would look ready for OP_CONNECT.
      connection.key = connection.channel.register(selector, SelectionKey.OP_CONNECT, connection);
      if (connection.channel.connect(server)) {
        connected(connection);
      }
    } catch (IOException e) {
      // Out of ephemeral ports, or refused at once.
      fail(connection, "connect failed: " + e.getMessage());
    }
  }

  /** Runs the loop until every handshake is done or the time is up; returns how many are. */
  int awaitConnected(long timeoutNanos) throws IOException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (connecting > 0 && System.nanoTime() < deadline) {
      poll(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
    }
    return connectedCount();
  }

  /** Called as the counting window opens and as it closes, to sample the server meanwhile. */
  interface Window {
    Window NONE = new Window() {};

    default void opened() {}

    default void closed() {}
  }

  LoadResult exchange(long warmupNanos, long measureNanos, long timeoutNanos) throws IOException {
    return exchange(warmupNanos, measureNanos, timeoutNanos, Window.NONE);
  }

  /**
   * Sends on every connection (and on each one still connecting, once it is through). With an
   * open-ended load it counts a window of {@code measureNanos} after {@code warmupNanos}, telling
   * {@code window} as it opens and closes; with a fixed number of messages it runs until all are
   * back or {@code timeoutNanos} passes.
   */
  LoadResult exchange(long warmupNanos, long measureNanos, long timeoutNanos, Window window)
      throws IOException {
    long start = System.nanoTime();
    boolean openEnded = load.messagesPerConnection() == 0;
    countFrom = openEnded ? start + warmupNanos : start;
    countUntil = openEnded ? countFrom + measureNanos : Long.MAX_VALUE;
    long deadline = openEnded ? countUntil + DRAIN_NANOS : start + timeoutNanos;
    sending = true;
    scheduleStart = start;
    nextDueAt = start;
    if (!load.isPaced()) {
      for (EchoConnection connection : connections) {
        if (connection.state == EchoConnection.State.OPEN) {
          topUp(connection, start);
        }
      }
    }
    boolean windowOpen = false;
    long cpuAtOpen = 0;
    long userAtOpen = 0;
    CpuTime cpu = CpuTime.NONE;
    while (true) {
      long now = System.nanoTime();
      if (!windowOpen && now >= countFrom) {
        windowOpen = true;
        window.opened();
        cpuAtOpen = threads.getCurrentThreadCpuTime();
        userAtOpen = threads.getCurrentThreadUserTime();
      }
      if (openEnded && sending && now >= countUntil) {
        sending = false;
        window.closed();
        cpu = cpuSince(cpuAtOpen, userAtOpen, (now - countFrom) / 1e9);
      }
      if (allAnswered() || now >= deadline) {
        break;
      }
      if (load.isPaced() && sending) {
        // A fixed rate needs each send on time: we spin on selectNow() rather than sleep in
        // select(). It costs this thread its core, never the server's.
        sendDue(now);
        poll(0);
      } else {
        poll(Math.max(1, Math.min(100, (deadline - now) / 1_000_000)));
      }
    }
    if (!openEnded) {
      cpu = cpuSince(cpuAtOpen, userAtOpen, (System.nanoTime() - countFrom) / 1e9);
    }
    countUnanswered();
    double seconds = openEnded ? measureNanos / 1e9 : (lastEchoAt - start) / 1e9;
    return new LoadResult(
        load,
        connectedCount(),
        finishedCount(),
        counted,
        Math.max(seconds, 1e-9),
        latency.copy(),
        lastEchoAt == 0 ? 0 : lastEchoAt - connectStartedAt,
        new TreeMap<>(errors),
        cpu,
        echoed);
  }

  // Every send that is due by now, the connections taking turns; a message's time is when it was
  // due, so a late send counts against the latency, not for it.
  private void sendDue(long now) throws IOException {
    int count = connections.size();
    while (count > 0 && nextDueAt <= now) {
      EchoConnection connection = connections.get((int) (scheduled % count));
      long due = nextDueAt;
      scheduled++;
      nextDueAt = scheduleStart + (long) (scheduled * 1e9 / load.rate());
      if (connection.state != EchoConnection.State.OPEN) {
        continue;
      }
      if (connection.inFlight() >= load.inFlight()) {
        count("rate not kept (" + load.inFlight() + " in flight on a connection)");
        continue;
      }
      connection.issue(due);
      flush(connection);
    }
  }

  // One pass of the loop: wait for ready keys (not at all for 0), then handle each (tutorial
  // 9.2, from the client side).
  private void poll(long waitMillis) throws IOException {
    if (waitMillis == 0) {
      selector.selectNow();
    } else {
      selector.select(waitMillis);
    }
    Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
    while (ready.hasNext()) {
      SelectionKey key = ready.next();
      ready.remove();
      EchoConnection connection = (EchoConnection) key.attachment();
      try {
        if (key.isConnectable()) {
          if (connection.channel.finishConnect()) {
            connected(connection);
          }
        } else {
          if (key.isReadable()) {
            readable(connection);
          }
          if (key.isValid() && key.isWritable()) {
            flush(connection);
          }
        }
      } catch (IOException e) {
        // A refused connect, or a reset while reading or writing.
        fail(connection, connection.state == EchoConnection.State.CONNECTING ? "refused" : "reset");
      }
    }
  }

  private void connected(EchoConnection connection) throws IOException {
    connecting--;
    connection.state = EchoConnection.State.OPEN;
    connection.key.interestOps(SelectionKey.OP_READ);
    if (sending) {
      topUp(connection, System.nanoTime());
    }
  }

  // Bytes came back: check them, retire every message they complete, and send the next ones.
  private void readable(EchoConnection connection) throws IOException {
    readBuffer.clear();
    int n = connection.channel.read(readBuffer);
    if (n == -1) {
      fail(connection, "closed by server");
      return;
    }
    readBuffer.flip();
    String wrong = connection.check(readBuffer);
    if (wrong != null) {
      fail(connection, wrong);
      return;
    }
    long now = System.nanoTime();
    while (connection.oldestIsBack()) {
      long sentAt = connection.retireOldest();
      echoed++;
      lastEchoAt = now;
      if (sentAt >= countFrom && now < countUntil) {
        latency.recordValue(Math.min(now - sentAt, latency.getHighestTrackableValue()));
        counted++;
      }
    }
    if (isDone(connection)) {
      connection.state = EchoConnection.State.DONE;
      unsettled--;
      if (load.closeWhenDone()) {
        connection.key.cancel();
        closeQuietly(connection.channel);
      }
      return;
    }
    topUp(connection, now);
  }

  // Keep the connection's pipeline full: ping-pong keeps one message out, pipelining more. At a
  // fixed rate the schedule sends, not the echoes.
  private void topUp(EchoConnection connection, long now) throws IOException {
    long budget = load.messagesPerConnection();
    while (sending
        && !load.isPaced()
        && connection.inFlight() < load.inFlight()
        && (budget == 0 || connection.issued() < budget)) {
      connection.issue(now);
    }
    flush(connection);
  }

  // Register for OP_WRITE only while bytes are waiting: a writable socket is ready nearly always.
  private void flush(EchoConnection connection) throws IOException {
    boolean empty = connection.flush();
    int wanted = empty ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
    if (connection.key.interestOps() != wanted) {
      connection.key.interestOps(wanted);
    }
  }

  private boolean isDone(EchoConnection connection) {
    long budget = load.messagesPerConnection();
    return budget > 0 && connection.completed() == budget;
  }

  private boolean allAnswered() {
    if (load.messagesPerConnection() > 0) {
      return unsettled == 0;
    }
    if (sending) {
      return false;
    }
    // Draining after the window: a short phase, so walking every connection is fine here.
    for (EchoConnection connection : connections) {
      switch (connection.state) {
        case NEW, CONNECTING -> {
          return false;
        }
        case OPEN -> {
          if (sending || connection.inFlight() > 0) {
            return false;
          }
        }
        default -> {}
      }
    }
    return true;
  }

  // When time is up, connections still waiting are failures too: their echo never came.
  private void countUnanswered() {
    for (EchoConnection connection : connections) {
      if (connection.state == EchoConnection.State.NEW
          || connection.state == EchoConnection.State.CONNECTING) {
        count("never connected");
      } else if (connection.state == EchoConnection.State.OPEN
          && (connection.inFlight() > 0 || load.messagesPerConnection() > 0)) {
        count("no echo in time");
      }
    }
  }

  private void fail(EchoConnection connection, String why) {
    if (connection.state == EchoConnection.State.CONNECTING) {
      connecting--;
    }
    if (connection.state != EchoConnection.State.DONE
        && connection.state != EchoConnection.State.FAILED) {
      unsettled--;
    }
    connection.state = EchoConnection.State.FAILED;
    if (connection.key != null) {
      connection.key.cancel();
    }
    closeQuietly(connection.channel);
    if (why != null) {
      count(why);
    }
  }

  private void count(String why) {
    errors.merge(why, 1, Integer::sum);
  }

  private CpuTime cpuSince(long cpuAtOpen, long userAtOpen, double wallSeconds) {
    double cpu = (threads.getCurrentThreadCpuTime() - cpuAtOpen) / 1e9;
    double user = (threads.getCurrentThreadUserTime() - userAtOpen) / 1e9;
    return new CpuTime(user, Math.max(0, cpu - user), Math.max(wallSeconds, 1e-9));
  }

  int connectedCount() {
    int count = 0;
    for (EchoConnection connection : connections) {
      if (connection.state == EchoConnection.State.OPEN
          || connection.state == EchoConnection.State.DONE) {
        count++;
      }
    }
    return count;
  }

  private int finishedCount() {
    int count = 0;
    for (EchoConnection connection : connections) {
      if (connection.state == EchoConnection.State.DONE) {
        count++;
      }
    }
    return count;
  }

  /** When the first connect() was issued, on the {@link System#nanoTime()} clock. */
  long connectStartedAt() {
    return connectStartedAt;
  }

  /** Hangs up every connection (a FIN each) and closes the selector. */
  @Override
  public void close() {
    for (EchoConnection connection : connections) {
      closeQuietly(connection.channel);
    }
    closeQuietly(selector);
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // Closing is best effort: the run is over either way.
    }
  }
}
