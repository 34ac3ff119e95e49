package multiplexing.bench;

import static java.util.stream.Collectors.joining;

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
 * One thread and one {@link Selector} drive many echo connections, the client side of the servers'
 * loop (tutorial 9.2), every byte checked. After {@link #exchange} its fields say what it saw.
 */
final class LoadGenerator implements Closeable {
  // Byte p of a connection's stream is STREAM[(p + offset) % PERIOD]; two periods back to back, so
  // that any slice of up to one period is contiguous.
  private static final int PERIOD = 1 << 20;
  private static final ByteBuffer STREAM = stream();

  /**
   * Each connection keeps {@code inFlight} messages out (1 is ping-pong), or at a {@code rate} per
   * second over all connections sends each when it is due whatever the echoes do (an open loop).
   */
  record Load(int connections, int size, int inFlight, int rate) {
    Load(int connections, int size, int inFlight) {
      this(connections, size, inFlight, 0);
    }

    static Load paced(int connections) {
      return new Load(connections, 64, 256, 20_000);
    }

    @Override
    public String toString() { // with no comma, for CSV: "100 x 16 KiB 16 in flight"
      String bytes = size >= 1024 ? size / 1024 + " KiB " : size + " B ";
      String depth = inFlight > 1 ? inFlight + " in flight" : "ping-pong";
      return connections + " x " + bytes + (rate > 0 ? "at " + rate + "/s" : depth);
    }
  }

  long echoed;
  long counted;
  long connectStartedAt; // on the System.nanoTime() clock
  private final Map<String, Integer> errors = new TreeMap<>();
  private final Histogram latency = new Histogram(60_000_000_000L, 3);
  private final Load load;
  private final Selector selector = Selector.open();
  private final List<Connection> connections = new ArrayList<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private int connecting;
  private long outstanding; // messages sent and not yet back: the loop ends when none are
  private long most; // messages per connection
  private boolean sending;
  // Only messages sent and back inside [countFrom, countUntil) are counted and timed.
  private long countFrom = Long.MAX_VALUE;
  private long countUntil = Long.MAX_VALUE;
  private long start; // at a fixed rate: when it began, sends made, when the next is due
  private long scheduled;
  private long nextDueAt;

  // Connects batch at a time (so that no burst overflows a small listen backlog), or all at once.
  LoadGenerator(InetSocketAddress server, Load load, int batch) throws IOException {
    this.load = load;
    for (int id = 0; id < load.connections(); id++) {
      try {
        connections.add(new Connection(id, SocketChannel.open()));
      } catch (IOException e) {
        note("connect failed: " + e.getMessage()); // out of descriptors: go on with the rest
      }
    }
    connectStartedAt = System.nanoTime();
    for (Connection c : connections) {
      connecting++;
      try {
        c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
        if (c.channel.connect(server)) {
          connected(c);
        }
      } catch (IOException e) {
        fail(c, "connect failed: " + e.getMessage());
      }
      if (batch > 0 && connecting >= batch) {
        awaitConnected(10_000_000_000L);
      }
    }
  }

  int awaitConnected(long timeoutNanos) throws IOException {
    for (long end = System.nanoTime() + timeoutNanos; connecting > 0 && System.nanoTime() < end; ) {
      selector.select(this::ready, 100);
    }
    return (int) connections.stream().filter(c -> c.open).count();
  }

  /**
   * Counts a window after the ramp, running {@code sample} as it opens and closes, then waits up to
   * 2 s for the last echoes; with no window, sends one message each and waits up to 5 s.
   */
  void exchange(long rampNanos, long windowNanos, Runnable sample) throws IOException {
    start = nextDueAt = System.nanoTime();
    boolean once = windowNanos == 0;
    most = once ? 1 : Long.MAX_VALUE;
    countFrom = start + rampNanos;
    countUntil = once ? Long.MAX_VALUE : countFrom + windowNanos;
    long deadline = once ? start + 5_000_000_000L : countUntil + 2_000_000_000L;
    sending = true;
    connections.stream().filter(c -> c.open).forEach(c -> topUp(c, start));
    boolean opened = false;
    for (long now = start; now < deadline; now = System.nanoTime()) {
      if (connecting == 0 && outstanding == 0 && (once || !sending)) {
        break;
      } else if (!opened && now >= countFrom) {
        opened = true;
        sample.run();
      } else if (!once && sending && now >= countUntil) {
        sending = false;
        sample.run();
      }
      if (load.rate() > 0 && sending) {
        sendDue(now); // we spin to send each on time, which costs our core, not the server's
        selector.selectNow(this::ready);
      } else {
        selector.select(this::ready, 100);
      }
    }
    for (Connection c : connections) {
      note(!c.open && !c.failed ? "never connected" : c.issued > c.done ? "no echo in time" : null);
    }
  }

  double micros(double percentile) {
    double value = latency.getValueAtPercentile(percentile) / 1e3;
    return latency.getTotalCount() == 0 ? Double.NaN : value;
  }

  String errors() { // for a table's note: "no echo in time 1; reset 3"
    return errors.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(joining("; "));
  }

  int late() { // messages that came due while their connection had inFlight out
    return errors.getOrDefault("rate not kept", 0);
  }

  // A message's time is when it was due: a late send counts against the latency, not for it.
  private void sendDue(long now) {
    while (!connections.isEmpty() && nextDueAt <= now) {
      Connection c = connections.get((int) (scheduled % connections.size()));
      long due = nextDueAt;
      nextDueAt = start + (long) (++scheduled * 1e9 / load.rate());
      if (c.open && c.issued - c.done >= load.inFlight()) {
        note("rate not kept");
      } else if (c.open) {
        c.issue(due);
        flush(c);
      }
    }
  }

  private void ready(SelectionKey key) {
    Connection c = (Connection) key.attachment();
    try {
      if (key.isConnectable() && c.channel.finishConnect()) {
        connected(c);
      } else if (key.isReadable()) {
        readable(c);
      }
    } catch (IOException e) {
      fail(c, c.open ? "reset" : "refused");
    }
    if (key.isValid() && key.isWritable()) {
      flush(c);
    }
  }

  private void connected(Connection c) {
    connecting--;
    c.open = true;
    c.key.interestOps(SelectionKey.OP_READ);
    if (sending) {
      topUp(c, System.nanoTime());
    }
  }

  // One read may hold half a message or several: we check bytes, not messages.
  private void readable(Connection c) throws IOException {
    int n = c.channel.read(readBuffer.clear());
    ByteBuffer sent = STREAM.slice((int) ((c.received + c.offset) % PERIOD), Math.max(n, 0));
    String wrong =
        n < 0 ? "closed by server" : c.received + n > c.sent ? "more bytes than sent" : null;
    if (wrong != null || readBuffer.flip().mismatch(sent) != -1) {
      fail(c, wrong == null ? "corrupt bytes" : wrong);
      return;
    }
    c.received += n;
    long now = System.nanoTime();
    for (; c.done < c.issued && (c.done + 1) * load.size() <= c.received; echoed++, outstanding--) {
      long sentAt = c.issuedAt[(int) (c.done++ % load.inFlight())];
      if (sentAt >= countFrom && now < countUntil) {
        latency.recordValue(Math.min(now - sentAt, latency.getHighestTrackableValue()));
        counted++;
      }
    }
    topUp(c, now);
  }

  // Keeps a connection's pipeline full; at a fixed rate the schedule sends, not the echoes.
  private void topUp(Connection c, long now) {
    while (sending && load.rate() == 0 && c.issued - c.done < load.inFlight() && c.issued < most) {
      c.issue(now);
    }
    flush(c);
  }

  // Writes what the socket takes; OP_WRITE only while bytes are left.
  private void flush(Connection c) {
    try {
      for (long n = 1, left = c.issued * load.size() - c.sent; left > 0 && n > 0; left -= n) {
        int from = (int) ((c.sent + c.offset) % PERIOD);
        n = c.channel.write(STREAM.slice(from, (int) Math.min(left, PERIOD)));
        c.sent += n;
      }
      int more = c.sent < c.issued * load.size() ? SelectionKey.OP_WRITE : 0;
      c.key.interestOps(SelectionKey.OP_READ | more);
    } catch (IOException e) {
      fail(c, "reset");
    }
  }

  private void fail(Connection c, String why) {
    connecting -= c.open || c.failed ? 0 : 1;
    outstanding -= c.failed ? 0 : c.issued - c.done;
    c.open = false;
    c.failed = true;
    note(why);
    try {
      c.channel.close(); // which cancels its key
    } catch (IOException ignored) {
      // over either way
    }
  }

  private void note(String why) {
    if (why != null) {
      errors.merge(why, 1, Integer::sum);
    }
  }

  @Override
  public void close() throws IOException {
    for (Connection c : connections) {
      c.channel.close();
    }
    selector.close();
  }

  private static ByteBuffer stream() {
    byte[] period = new byte[PERIOD];
    new Random(20_240_601L).nextBytes(period);
    return ByteBuffer.allocateDirect(2 * PERIOD).put(period).put(period).flip().asReadOnlyBuffer();
  }

  // When each message in flight was sent (a ring by message number), how many it issued and got
  // back, its bytes sent and received; its stream starts at a place of its own.
  private final class Connection {
    final SocketChannel channel;
    final long[] issuedAt = new long[load.inFlight()];
    final int offset;
    SelectionKey key;
    boolean open;
    boolean failed;
    long issued;
    long done;
    long sent;
    long received;

    Connection(int id, SocketChannel channel) throws IOException {
      this.channel = channel;
      this.offset = (int) ((id * 0x9E3779B1L) & (PERIOD - 1));
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // Nagle would hold ours back
    }

    void issue(long now) {
      issuedAt[(int) (issued++ % issuedAt.length)] = now;
      outstanding++;
    }
  }
}
