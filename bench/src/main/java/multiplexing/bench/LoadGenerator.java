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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The load generator: one thread and one {@link Selector} drive many echo connections, the client
 * side of the servers' loop (tutorial 9.2): non-blocking connects finished on {@code OP_CONNECT},
 * {@code OP_WRITE} only while bytes wait, one read buffer for every connection, every byte checked.
 * After {@link #exchange} its fields say what it saw: messages echoed in all, those sent and back
 * inside the counting window with their round trips from when each was due, and failures by kind.
 */
final class LoadGenerator implements Closeable {
  // A send skipped at a fixed rate: the connection had too many messages out.
  static final String LATE = "rate not kept";
  // Stream position p of a connection with offset o carries byte STREAM[(p + o) % PERIOD]; two
  // periods back to back, so that any window of up to one period is one contiguous slice.
  private static final int PERIOD = 1 << 20;
  private static final ByteBuffer STREAM = stream();

  /**
   * What each connection does: keep {@code inFlight} messages out (1 is ping-pong), or send one
   * when it is due at {@code rate} per second over all connections, whatever the echoes do (an open
   * loop, at most {@code inFlight} out); {@code perConnection} in all, or 0 for as long as we
   * count.
   */
  record Load(int connections, int size, int inFlight, long perConnection, int rate) {
    static Load sustained(int connections, int size, int inFlight) {
      return new Load(connections, size, inFlight, 0, 0);
    }

    static Load paced(int connections, int rate) {
      return new Load(connections, 64, 256, 0, rate);
    }

    /** As the tables name it, with no comma (a CSV field): "100 x 64 B 16 in flight". */
    @Override
    public String toString() {
      String depth = inFlight == 1 ? "ping-pong" : inFlight + " in flight";
      String bytes = size >= 1024 ? size / 1024 + " KiB " : size + " B ";
      return connections + " x " + bytes + (rate > 0 ? "at " + rate + "/s" : depth);
    }
  }

  final Map<String, Integer> errors = new TreeMap<>();
  final Histogram latency = new Histogram(60_000_000_000L, 3);
  long echoed;
  long counted;
  // When the first connect() was issued, on the System.nanoTime() clock.
  long connectStartedAt;
  private final Load load;
  private final Selector selector = Selector.open();
  private final List<Connection> connections = new ArrayList<>();
  // One read buffer serves every connection: we check the bytes before reading the next key.
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private int connecting;
  // Messages sent and not yet back, over all connections: the loop ends when none are.
  private long outstanding;
  private boolean sending;
  // Only messages sent and back inside [countFrom, countUntil) are counted and timed.
  private long countFrom = Long.MAX_VALUE;
  private long countUntil = Long.MAX_VALUE;
  // At a fixed rate: when the schedule began, how many sends it has made, when the next is due.
  private long scheduleStart;
  private long scheduled;
  private long nextDueAt;

  /**
   * Opens every socket, then connects {@code batch} at a time, waiting for each batch's handshakes
   * (so that no burst overflows a small listen backlog), or all in one burst if {@code batch} is 0.
   */
  LoadGenerator(InetSocketAddress server, Load load, int batch, long timeoutNanos)
      throws IOException {
    this.load = load;
    for (int id = 0; id < load.connections(); id++) {
      try {
        connections.add(new Connection(id, SocketChannel.open()));
      } catch (IOException e) {
        count("connect failed: " + e.getMessage()); // out of descriptors: go on with the rest
      }
    }
    connectStartedAt = System.nanoTime();
    for (Connection connection : connections) {
      connecting++;
      try {
        // A non-blocking connect() returns at once; OP_CONNECT says when the handshake is done.
        connection.key = connection.channel.register(selector, SelectionKey.OP_CONNECT, connection);
        if (connection.channel.connect(server)) {
          connected(connection);
        }
      } catch (IOException e) {
        // Out of ephemeral ports ("Cannot assign requested address"), or refused at once.
        fail(connection, "connect failed: " + e.getMessage());
      }
      if (batch > 0 && connecting >= batch) {
        awaitConnected(timeoutNanos);
      }
    }
  }

  /** Runs the loop until every handshake is done or the time is up; returns how many are. */
  int awaitConnected(long timeoutNanos) throws IOException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (connecting > 0 && System.nanoTime() < deadline) {
      selector.select(this::ready, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    return (int) connections.stream().filter(c -> c.open).count();
  }

  /**
   * Sends on every connection (and on each still connecting, once it is through). An open-ended
   * load counts a window of {@code windowNanos} after {@code rampNanos}, running {@code sample} as
   * it opens and as it closes, and stops sending then; one with a number of messages runs until all
   * are back or {@code timeoutNanos} passed. When time is up, what is still out has failed.
   */
  void exchange(long rampNanos, long windowNanos, long timeoutNanos, Runnable sample)
      throws IOException {
    long start = System.nanoTime();
    boolean openEnded = load.perConnection() == 0;
    countFrom = openEnded ? start + rampNanos : start;
    countUntil = openEnded ? countFrom + windowNanos : Long.MAX_VALUE;
    // After the window we wait up to 2 s for the last echoes.
    long deadline = openEnded ? countUntil + 2_000_000_000L : start + timeoutNanos;
    sending = true;
    scheduleStart = nextDueAt = start;
    for (Connection connection : connections) {
      if (connection.open) {
        topUp(connection, start);
      }
    }
    boolean opened = false;
    for (long now = start; now < deadline; now = System.nanoTime()) {
      if (connecting == 0 && outstanding == 0 && (!openEnded || !sending)) {
        break;
      } else if (!opened && now >= countFrom) {
        opened = true;
        sample.run();
      } else if (openEnded && sending && now >= countUntil) {
        sending = false;
        sample.run();
      }
      if (load.rate() > 0 && sending) {
        // A fixed rate needs each send on time: we spin on selectNow() rather than sleep in
        // select(). It costs this thread its core, never the server's.
        sendDue(now);
        selector.selectNow(this::ready);
      } else {
        selector.select(this::ready, Math.max(1, Math.min(100, (deadline - now) / 1_000_000)));
      }
    }
    for (Connection c : connections) {
      if (!c.open && !c.failed) {
        count("never connected");
      } else if (c.open && c.issued > c.completed) {
        count("no echo in time");
      }
    }
  }

  double perSecond(long windowNanos) {
    return counted / (windowNanos / 1e9);
  }

  double micros(double percentile) {
    long value = latency.getValueAtPercentile(percentile);
    return latency.getTotalCount() == 0 ? Double.NaN : value / 1e3;
  }

  // Every send that is due by now, the connections taking turns; a message's time is when it was
  // due, so a late send counts against the latency, not for it.
  private void sendDue(long now) throws IOException {
    while (!connections.isEmpty() && nextDueAt <= now) {
      Connection connection = connections.get((int) (scheduled % connections.size()));
      long due = nextDueAt;
      nextDueAt = scheduleStart + (long) (++scheduled * 1e9 / load.rate());
      if (connection.open && connection.issued - connection.completed >= load.inFlight()) {
        count(LATE);
      } else if (connection.open) {
        connection.issue(due);
        flush(connection);
      }
    }
  }

  private void ready(SelectionKey key) {
    Connection connection = (Connection) key.attachment();
    try {
      if (key.isConnectable() && connection.channel.finishConnect()) {
        connected(connection);
      } else if (key.isReadable()) {
        readable(connection);
      }
      if (key.isValid() && key.isWritable()) {
        flush(connection);
      }
    } catch (IOException e) {
      fail(connection, connection.open ? "reset" : "refused");
    }
  }

  private void connected(Connection connection) throws IOException {
    connecting--;
    connection.open = true;
    connection.key.interestOps(SelectionKey.OP_READ);
    if (sending) {
      topUp(connection, System.nanoTime());
    }
  }

  // Bytes came back: check them, retire every message they complete, and send the next ones.
  private void readable(Connection c) throws IOException {
    int n = c.channel.read(readBuffer.clear());
    readBuffer.flip();
    int start = (int) ((c.received + c.offset) % PERIOD);
    if (n == -1 || c.received + n > c.sent) {
      fail(c, n == -1 ? "closed by server" : "more bytes than sent");
      return;
    } else if (readBuffer.mismatch(STREAM.slice(start, n)) != -1) {
      // A stream has no message boundaries: one read may hold half a message or several.
      fail(c, "corrupt bytes");
      return;
    }
    c.received += n;
    long now = System.nanoTime();
    while (c.completed < c.issued && (c.completed + 1) * load.size() <= c.received) {
      long sentAt = c.issuedAt[(int) (c.completed++ % load.inFlight())];
      echoed++;
      outstanding--;
      if (sentAt >= countFrom && now < countUntil) {
        latency.recordValue(Math.min(now - sentAt, latency.getHighestTrackableValue()));
        counted++;
      }
    }
    topUp(c, now);
  }

  // Keeps a connection's pipeline full (ping-pong keeps one message out); at a fixed rate the
  // schedule sends, not the echoes.
  private void topUp(Connection c, long now) throws IOException {
    long most = load.perConnection() == 0 ? Long.MAX_VALUE : load.perConnection();
    while (sending
        && load.rate() == 0
        && c.issued - c.completed < load.inFlight()
        && c.issued < most) {
      c.issue(now);
    }
    flush(c);
  }

  // Writes what the socket takes; OP_WRITE only while bytes are left (a socket is nearly always
  // writable).
  private void flush(Connection c) throws IOException {
    long pending = c.issued * load.size() - c.sent;
    for (int n = 1; pending > 0 && n > 0; pending -= n) {
      n =
          c.channel.write(
              STREAM.slice((int) ((c.sent + c.offset) % PERIOD), (int) Math.min(pending, PERIOD)));
      c.sent += n;
    }
    int wanted = SelectionKey.OP_READ | (pending > 0 ? SelectionKey.OP_WRITE : 0);
    if (c.key.interestOps() != wanted) {
      c.key.interestOps(wanted);
    }
  }

  private void fail(Connection connection, String why) {
    connecting -= connection.open || connection.failed ? 0 : 1;
    outstanding -= connection.failed ? 0 : connection.issued - connection.completed;
    connection.open = false;
    connection.failed = true;
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
   * One connection: the send time of each message in flight (a ring indexed by message number), how
   * many it issued and got back, its bytes sent and received. It sends one fixed random stream from
   * a place of its own, so that every echoed byte can be checked and no two look alike.
   */
  private final class Connection {
    final SocketChannel channel;
    final long[] issuedAt = new long[load.inFlight()];
    final int offset;
    SelectionKey key;
    boolean open;
    boolean failed;
    long issued;
    long completed;
    long sent;
    long received;

    Connection(int id, SocketChannel channel) throws IOException {
      this.channel = channel;
      this.offset = (int) ((id * 0x9E3779B1L) & (PERIOD - 1));
      channel.configureBlocking(false);
      // Our messages are whole and should leave now: Nagle's algorithm would hold them back.
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    void issue(long now) {
      issuedAt[(int) (issued++ % issuedAt.length)] = now;
      outstanding++;
    }
  }
}
