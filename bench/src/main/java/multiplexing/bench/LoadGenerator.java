package multiplexing.bench;

import java.io.Closeable;
import java.io.IOException;
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
import java.util.Random;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The load generator: one thread and one {@link Selector} drive many echo connections, the client
 * side of the servers' loop (tutorial 9.2): non-blocking connects finished on {@code OP_CONNECT},
 * {@code OP_WRITE} only while bytes wait, one read buffer for every connection, every byte checked.
 */
final class LoadGenerator implements Closeable {
  // After the window closes we stop sending and wait this long for the last echoes.
  private static final long DRAIN_NANOS = 2_000_000_000L;
  // Stream position p of a connection with offset o carries byte STREAM[(p + o) % PERIOD]; two
  // periods back to back, so that any window of up to one period is one contiguous slice.
  private static final int PERIOD = 1 << 20;
  private static final ByteBuffer STREAM = stream();

  /**
   * What one exchange saw.
   *
   * @param finished connections that got back every message they were to send
   * @param echoed messages that came back, in the window or not
   * @param messages those sent and echoed inside the counting window
   * @param latency their round trips, in nanoseconds, from when each was due
   * @param errors failures by kind; empty when every byte came back as sent
   */
  record Result(
      int finished,
      long echoed,
      long messages,
      double seconds,
      Histogram latency,
      Map<String, Integer> errors) {
    double messagesPerSecond() {
      return messages / seconds;
    }

    double latencyMicros(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  private enum State {
    NEW,
    CONNECTING,
    OPEN,
    DONE,
    FAILED
  }

  private final Load load;
  private final Selector selector = Selector.open();
  private final List<Connection> connections = new ArrayList<>();
  // One read buffer serves every connection: we check the bytes before reading the next key.
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private final Histogram latency = new Histogram(60_000_000_000L, 3);
  private final Map<String, Integer> errors = new TreeMap<>();
  // When the first connect() was issued, on the System.nanoTime() clock.
  long connectStartedAt;
  private int connecting;
  // Connections neither done nor failed, so that the loop need not walk them all on each pass.
  private int unsettled;
  private boolean sending;
  // Only messages sent and back inside [countFrom, countUntil) are counted and timed.
  private long countFrom = Long.MAX_VALUE;
  private long countUntil = Long.MAX_VALUE;
  private long counted;
  private long echoed;
  // At a fixed rate: when the schedule began, how many sends it has made, when the next is due.
  private long scheduleStart;
  private long scheduled;
  private long nextDueAt;

  // Every socket is opened beforehand, so that a burst is connect() calls alone.
  private LoadGenerator(Load load) throws IOException {
    this.load = load;
    for (int id = 0; id < load.connections(); id++) {
      try {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        // Our messages are whole and should leave now: Nagle's algorithm would hold them back.
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        connections.add(new Connection(id, channel, load.messageSize(), load.inFlight()));
        unsettled++;
      } catch (IOException e) {
        // Out of descriptors: the run goes on with the connections it has.
        count("connect failed: " + e.getMessage());
      }
    }
  }

  /**
   * Connects {@code batch} connections at a time, waiting for each batch's handshakes (so that no
   * burst overflows a small listen backlog), or all of them in one burst if {@code batch} is 0.
   */
  static LoadGenerator connect(InetSocketAddress server, Load load, int batch, long timeoutNanos)
      throws IOException {
    LoadGenerator generator = new LoadGenerator(load);
    generator.connectStartedAt = System.nanoTime();
    for (Connection connection : generator.connections) {
      generator.startConnect(connection, server);
      if (batch > 0 && generator.connecting >= batch) {
        generator.awaitConnected(timeoutNanos);
      }
    }
    return generator;
  }

  // A non-blocking connect() returns at once; OP_CONNECT tells us when the handshake is done.
  private void startConnect(Connection connection, InetSocketAddress server) {
    connection.state = State.CONNECTING;
    connecting++;
    try {
      // Registered only now: a socket that is not connecting would look ready for OP_CONNECT.
      connection.key = connection.channel.register(selector, SelectionKey.OP_CONNECT, connection);
      if (connection.channel.connect(server)) {
        connected(connection);
      }
    } catch (IOException e) {
      // Out of ephemeral ports ("Cannot assign requested address"), or refused at once.
      fail(connection, "connect failed: " + e.getMessage());
    }
  }

  /** Runs the loop until every handshake is done or the time is up; returns how many are. */
  int awaitConnected(long timeoutNanos) throws IOException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (connecting > 0 && System.nanoTime() < deadline) {
      poll(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
    }
    return (int)
        connections.stream().filter(c -> c.state == State.OPEN || c.state == State.DONE).count();
  }

  /**
   * Sends on every connection (and on each one still connecting, once it is through). An open-ended
   * load counts a window of {@code measureNanos} after {@code warmupNanos}, running {@code sample}
   * as it opens and as it closes; a load with a number of messages runs until all are back or
   * {@code timeoutNanos} passed.
   */
  Result exchange(long warmupNanos, long measureNanos, long timeoutNanos, Runnable sample)
      throws IOException {
    long start = System.nanoTime();
    boolean openEnded = load.messagesPerConnection() == 0;
    countFrom = openEnded ? start + warmupNanos : start;
    countUntil = openEnded ? countFrom + measureNanos : Long.MAX_VALUE;
    long deadline = openEnded ? countUntil + DRAIN_NANOS : start + timeoutNanos;
    sending = true;
    scheduleStart = start;
    nextDueAt = start;
    for (Connection connection : connections) {
      if (connection.state == State.OPEN) {
        topUp(connection, start);
      }
    }
    boolean opened = false;
    for (long now = start; !answered() && now < deadline; now = System.nanoTime()) {
      if (!opened && now >= countFrom) {
        opened = true;
        sample.run();
      }
      if (openEnded && sending && now >= countUntil) {
        sending = false;
        sample.run();
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
    // When time is up, connections still waiting are failures too: their echo never came.
    for (Connection c : connections) {
      if (c.state == State.NEW || c.state == State.CONNECTING) {
        count("never connected");
      } else if (c.state == State.OPEN && (c.inFlight() > 0 || !openEnded)) {
        count("no echo in time");
      }
    }
    double seconds = openEnded ? measureNanos / 1e9 : (System.nanoTime() - start) / 1e9;
    int finished = (int) connections.stream().filter(c -> c.state == State.DONE).count();
    return new Result(finished, echoed, counted, seconds, latency.copy(), new TreeMap<>(errors));
  }

  // Every send that is due by now, the connections taking turns; a message's time is when it was
  // due, so a late send counts against the latency, not for it.
  private void sendDue(long now) throws IOException {
    while (!connections.isEmpty() && nextDueAt <= now) {
      Connection connection = connections.get((int) (scheduled % connections.size()));
      long due = nextDueAt;
      nextDueAt = scheduleStart + (long) (++scheduled * 1e9 / load.rate());
      if (connection.state == State.OPEN && connection.inFlight() >= load.inFlight()) {
        count("rate not kept (" + load.inFlight() + " in flight on a connection)");
      } else if (connection.state == State.OPEN) {
        connection.issue(due);
        flush(connection);
      }
    }
  }

  // One pass of the loop: wait for ready keys (not at all for 0), then handle each.
  private void poll(long waitMillis) throws IOException {
    if (waitMillis == 0) {
      selector.selectNow();
    } else {
      selector.select(waitMillis);
    }
    for (Iterator<SelectionKey> ready = selector.selectedKeys().iterator(); ready.hasNext(); ) {
      SelectionKey key = ready.next();
      ready.remove();
      Connection connection = (Connection) key.attachment();
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
        fail(connection, connection.state == State.CONNECTING ? "refused" : "reset");
      }
    }
  }

  private void connected(Connection connection) throws IOException {
    connecting--;
    connection.state = State.OPEN;
    connection.key.interestOps(SelectionKey.OP_READ);
    if (sending) {
      topUp(connection, System.nanoTime());
    }
  }

  // Bytes came back: check them, retire every message they complete, and send the next ones.
  private void readable(Connection connection) throws IOException {
    readBuffer.clear();
    if (connection.channel.read(readBuffer) == -1) {
      fail(connection, "closed by server");
      return;
    }
    String wrong = connection.check(readBuffer.flip());
    if (wrong != null) {
      fail(connection, wrong);
      return;
    }
    long now = System.nanoTime();
    while (connection.oldestIsBack()) {
      long sentAt = connection.issuedAt[(int) (connection.completed++ % load.inFlight())];
      echoed++;
      if (sentAt >= countFrom && now < countUntil) {
        latency.recordValue(Math.min(now - sentAt, latency.getHighestTrackableValue()));
        counted++;
      }
    }
    if (load.messagesPerConnection() > 0 && connection.completed == load.messagesPerConnection()) {
      connection.state = State.DONE;
      unsettled--;
    } else {
      topUp(connection, now);
    }
  }

  // Keeps a connection's pipeline full: ping-pong keeps one message out, pipelining more. At a
  // fixed rate the schedule sends, not the echoes.
  private void topUp(Connection connection, long now) throws IOException {
    long most = load.messagesPerConnection();
    while (sending
        && !load.isPaced()
        && connection.inFlight() < load.inFlight()
        && (most == 0 || connection.issued < most)) {
      connection.issue(now);
    }
    flush(connection);
  }

  // OP_WRITE only while bytes are waiting: a writable socket is ready nearly always.
  private void flush(Connection connection) throws IOException {
    int wanted =
        connection.flush() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
    if (connection.key.interestOps() != wanted) {
      connection.key.interestOps(wanted);
    }
  }

  // Whether nothing is left to wait for; after an open-ended window a short drain walks them all.
  private boolean answered() {
    if (load.messagesPerConnection() > 0 || sending) {
      return unsettled == 0;
    }
    return connections.stream()
        .noneMatch(
            c ->
                c.state == State.NEW
                    || c.state == State.CONNECTING
                    || (c.state == State.OPEN && c.inFlight() > 0));
  }

  private void fail(Connection connection, String why) {
    connecting -= connection.state == State.CONNECTING ? 1 : 0;
    unsettled -= connection.state == State.DONE || connection.state == State.FAILED ? 0 : 1;
    connection.state = State.FAILED;
    if (connection.key != null) {
      connection.key.cancel();
    }
    closeQuietly(connection.channel);
    count(why);
  }

  private void count(String why) {
    errors.merge(why, 1, Integer::sum);
  }

  /** Hangs up every connection (a FIN each) and closes the selector. */
  @Override
  public void close() {
    connections.forEach(connection -> closeQuietly(connection.channel));
    closeQuietly(selector);
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // Closing is best effort: the run is over either way.
    }
  }

  private static ByteBuffer stream() {
    byte[] period = new byte[PERIOD];
    new Random(20_240_601L).nextBytes(period);
    return ByteBuffer.allocateDirect(2 * PERIOD).put(period).put(period).flip().asReadOnlyBuffer();
  }

  /**
   * One connection's bookkeeping: what it sent, what came back, when each message was sent. It
   * sends a slice of one fixed random stream from a place of its own, so that every echoed byte can
   * be checked and no two connections look alike.
   */
  private static final class Connection {
    final SocketChannel channel;
    SelectionKey key;
    State state = State.NEW;
    // A ring with the send time of each message still in flight, indexed by message number.
    final long[] issuedAt;
    long issued;
    long completed;
    private final int offset;
    private final int messageSize;
    // Two views of the stream: one walks what we send, one what we expect back.
    private final ByteBuffer sendView = STREAM.duplicate();
    private final ByteBuffer expectView = STREAM.duplicate();
    private long sent;
    private long received;

    Connection(int id, SocketChannel channel, int messageSize, int inFlight) {
      this.channel = channel;
      this.offset = (int) ((id * 0x9E3779B1L) & (PERIOD - 1));
      this.messageSize = messageSize;
      this.issuedAt = new long[inFlight];
    }

    int inFlight() {
      return (int) (issued - completed);
    }

    /** Queues one more message; its bytes go out on the next {@link #flush()}. */
    void issue(long now) {
      issuedAt[(int) (issued++ % issuedAt.length)] = now;
    }

    /** Writes what the socket takes; true when nothing is left to send. */
    boolean flush() throws IOException {
      for (long pending = issued * messageSize - sent; pending > 0; ) {
        int n = channel.write(slice(sendView, sent, (int) pending));
        if (n == 0) {
          // The socket's send buffer is full: the caller waits for OP_WRITE.
          return false;
        }
        sent += n;
        pending -= n;
      }
      return true;
    }

    /**
     * Checks freshly read bytes against what we sent at that place in the stream; null if they
     * match. A stream has no message boundaries: one read may hold half a message or several.
     */
    String check(ByteBuffer data) {
      int n = data.remaining();
      if (received + n > sent) {
        return "more bytes than sent";
      }
      if (data.mismatch(slice(expectView, received, n)) != -1) {
        return "corrupt bytes";
      }
      received += n;
      return null;
    }

    /** True when the bytes received so far finish the oldest message in flight. */
    boolean oldestIsBack() {
      return completed < issued && (completed + 1) * messageSize <= received;
    }

    // Points view at length bytes of this connection's stream from position on.
    private ByteBuffer slice(ByteBuffer view, long position, int length) {
      int start = (int) ((position + offset) % PERIOD);
      view.limit(start + Math.min(length, PERIOD)).position(start);
      return view;
    }
  }
}
