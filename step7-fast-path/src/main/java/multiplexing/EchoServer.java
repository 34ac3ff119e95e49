package multiplexing;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Step 7: the fast path, beyond the tutorial's chapter: what each echo and each connect cost.
 *
 * <p>Every way a client leaves ends in one {@link #drop}, and whatever goes wrong with one client
 * costs that client alone, never the server. The tutorial's third list does not carry these errors.
 * select()'s third argument reports "exceptional conditions", which on Linux means TCP out-of-band
 * data; a reset peer shows up in the first list as readable, and then recv() raises. The tutorial
 * also passes an empty third list, so its cleanup loop never runs. Java's Selector has no third set
 * at all: a socket's error or hang-up makes its key ready for what it asked for, and the failure
 * itself then reaches us as an exception from read() or write(). With the orderly end of a stream
 * (read() returns -1) and our own surprises, every way out ends in drop(). A failed accept() has no
 * client to drop: it pauses accepting instead.
 *
 * <p>Water marks bound what we hold per client, a budget what we hold in all, a cap how many.
 *
 * <p>An idle timeout bounds how long a client may sit silent, and closes it without throwing away
 * what the kernel still holds for it.
 *
 * <p>An echo the socket has room for leaves in the pass that read it, a read takes up to 64 KiB,
 * what we must queue is packed into chunks, and a burst of connects waits in a backlog of 4,096.
 *
 * <p>What it still gets wrong, on purpose: one thread uses one core. A server for more runs one
 * such loop per core.
 */
public final class EchoServer implements Closeable {
  // One read takes up to 64 KiB, a 16 KiB message in one call where the tutorial's recv(1024)
  // took sixteen. The buffer is a direct one, which the kernel fills with no hidden copy.
  static final int READ_SIZE = 64 * 1024;
  // What we must queue we pack into buffers of at least this size: a client that sends a byte at
  // a time cannot make us keep a buffer object (a hundred bytes of bookkeeping) per byte.
  static final int CHUNK_SIZE = 4 * 1024;
  // Java's default backlog is 50 (the tutorial asks for 5). When the kernel's queue of connects
  // waiting for accept() is full, it ignores the next one, and that client tries again after 1 s,
  // 3 s, 7 s: a burst of 10,000 connects takes seconds. 4096 takes the burst while we accept; the
  // kernel caps it at net.core.somaxconn (4096 on Linux since 5.4).
  static final int BACKLOG = 4096;
  // How many clients one pass accepts at most: enough that a burst needs few passes, few enough
  // that the clients already here are served between them.
  static final int ACCEPTS_PER_PASS = 64;
  // After a failed accept() we stop accepting for a while, twice as long each time it fails.
  static final long FIRST_ACCEPT_PAUSE_MILLIS = 50;
  static final long LONGEST_ACCEPT_PAUSE_MILLIS = 1_600;
  // --high-water=BYTES, 1 MiB by default: past it we stop reading from a client, so one that does
  // not read costs us at most this much, plus one read. --low-water=BYTES, a quarter of it by
  // default: we read again while the socket still has bytes to send, and never on every read.
  static final long HIGH_WATER = 1024 * 1024;
  // --max-connections=N, 20,000 by default: each client costs a descriptor, kernel buffers and up
  // to a high water mark of memory. Past the cap we accept and close at once, so it knows at once;
  // keep it below `ulimit -n`, or accept() fails first (step 4's backoff).
  static final int MAX_CONNECTIONS = 20_000;
  // --idle-timeout=SECONDS, 5 minutes by default (0 turns it off): a client whose machine
  // vanished (a cable pulled, a laptop shut) never sends its end of stream, and would hold its
  // place for ever. Long enough for a person at EchoClient to stop and think.
  static final long IDLE_TIMEOUT = 300;
  // --linger=SECONDS, 30 by default (nginx's lingering_time): how long a client we close for
  // idleness has to read what the kernel still holds for it (see closeIdle()).
  static final long LINGER = 30;

  /** What you may tune: each is an option, with its default above. */
  record Settings(
      long highWater, long lowWater, int maxConnections, long idleTimeout, long linger) {}

  private final ServerSocketChannel listener;
  private final Selector selector;
  private final boolean trace;
  private final Settings settings;
  private final PrintStream log;
  // One buffer serves every client: each read is written back or queued before the next key.
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_SIZE);
  // The tutorial's `inputs` list, in the order clients connected; the cap counts it.
  private final Set<SelectionKey> clients = new LinkedHashSet<>();
  // All clients together may make us hold a quarter of the heap, however many they are: each
  // within its high water mark, 20,000 of them could still hold 20 GiB.
  private final long budget = Runtime.getRuntime().maxMemory() / 4;
  private long queuedInAll;
  // Paused clients at or below their low water marks wait for the budget alone: those we owe
  // nothing for any room in it, the others for all clients to hold half of it or less.
  private final Set<SelectionKey> waitingForRoom = new LinkedHashSet<>();
  private final Set<SelectionKey> waitingForBudget = new LinkedHashSet<>();
  private volatile boolean running = true;
  // Whether accepting is paused, until when (System.nanoTime()), and how long the next pause is.
  private boolean acceptPaused;
  private long acceptResumesAt;
  private long acceptPauseMillis = FIRST_ACCEPT_PAUSE_MILLIS;
  // When we next look for idle clients, and for lingering ones whose grace period is over.
  private long nextIdleCheck;

  /**
   * What one client is owed: bytes we read from it and have not yet written back (the tutorial's
   * {@code message[conn]} queue). It rides on the client's key as the key's attachment, so it lives
   * exactly as long as the registration: a map keyed by channel would work too, but we would have
   * to remember to delete from it on every way out, as the tutorial does with {@code del}.
   */
  private static final class Connection {
    final Deque<ByteBuffer> pending = new ArrayDeque<>();
    long queued;
    Input input = Input.OPEN;
    // System.nanoTime() when a byte last moved either way, for the idle timeout; once it lingers,
    // when its grace period began.
    long lastProgress = System.nanoTime();
  }

  // What we do with what a client sends: read it, until its end of stream; from then on we only
  // write it the echo we still owe it.
  private enum Input {
    OPEN,
    // Not read for a while: at its high water mark, or for the budget.
    PAUSED,
    ENDED,
    // Read and thrown away: we closed our side for idleness.
    LINGERING
  }

  /** Binds and registers the listening socket; port 0 picks any free port. */
  EchoServer(InetSocketAddress address, boolean trace, Settings settings, PrintStream log)
      throws IOException {
    this.trace = trace;
    this.settings = settings;
    this.log = log;
    nextIdleCheck = System.nanoTime() + idleCheckNanos();
    // The first close of any NIO channel loads a JDK class that needs spare descriptors of its
    // own. Should they run out before that (a burst of connects at start-up), it never loads,
    // and no channel can be written or closed again. So we close one now, while we can.
    SocketChannel.open().close();
    selector = Selector.open();
    try {
      listener = ServerSocketChannel.open();
      listener.bind(address, BACKLOG);
      // The tutorial's sk.setblocking(False): accept() must never stall the one thread we have.
      listener.configureBlocking(false);
      listener.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException e) {
      closeEverything();
      throw e;
    }
  }

  /** Runs the select loop on the calling thread until {@link #close()}; false if it failed. */
  public synchronized boolean run() {
    try {
      // An interrupt makes select() return at once, on every pass: we take it, as Java means
      // it, as a request to stop, and leave the flag set for whoever called run().
      while (running && !Thread.currentThread().isInterrupted()) {
        // Work on timers now: resuming accepts after a pause, and idle clients. With none due,
        // we block as before, until a key is ready or close() wakes us.
        long due = nanosToNextTimer();
        selector.select(
            due == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(due) + 1));
        if (trace) {
          tracePass();
        }
        // The selector adds ready keys to this set and never removes them: we must, or we
        // would handle the same event again on the next pass.
        Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
        while (ready.hasNext()) {
          SelectionKey key = ready.next();
          ready.remove();
          if (key.channel() == listener) {
            // Everyone waiting, up to ACCEPTS_PER_PASS, in this one pass.
            for (int i = 0; i < ACCEPTS_PER_PASS && accept(); i++) {}
          } else {
            handle(key);
          }
        }
        onTimers();
      }
      return true;
    } catch (IOException e) {
      // Only select() itself gets here: the selector is broken, so nobody can be served.
      log.println("stopped by " + e);
      return false;
    } finally {
      closeEverything();
      log.println("stopped");
    }
  }

  // When the listener is readable, someone connected (tutorial: `if r == sk`).
  // Returns whether it took one: then another may be waiting.
  private boolean accept() {
    SocketChannel client;
    try {
      client = listener.accept();
    } catch (IOException e) {
      pauseAccepting(e);
      return false;
    }
    if (client == null) {
      return false;
    }
    acceptPauseMillis = FIRST_ACCEPT_PAUSE_MILLIS;
    try {
      setUp(client);
    } catch (IOException | RuntimeException e) {
      // The client can reset between connecting and being set up; and whatever else goes wrong
      // here costs this client alone. Closing the channel cancels its key, if it has one.
      log.println("dropped on " + e.getClass().getSimpleName() + " " + name(client));
      try {
        client.close();
      } catch (IOException alsoGone) {
        // Closed all the same.
      }
    }
    return true;
  }

  // accept() fails when we are out of descriptors (EMFILE, ENFILE) or memory. Trying again at
  // once would fail again at once: a hot loop that starves every client. So we stop asking for
  // OP_ACCEPT for a while; the kernel keeps new arrivals in the backlog meanwhile, and the
  // listening socket stays open. (The tutorial's loop, and steps 2 and 3, die here instead.)
  private void pauseAccepting(IOException e) {
    log.println("accept failed (" + e.getMessage() + "), pausing " + acceptPauseMillis + " ms");
    listener.keyFor(selector).interestOps(0);
    acceptPaused = true;
    acceptResumesAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(acceptPauseMillis);
    acceptPauseMillis = Math.min(acceptPauseMillis * 2, LONGEST_ACCEPT_PAUSE_MILLIS);
  }

  // Work on timers, after each pass: accepting again once a pause is over, and the idle clients.
  private void onTimers() {
    long now = System.nanoTime();
    if (acceptPaused && now - acceptResumesAt >= 0) {
      acceptPaused = false;
      listener.keyFor(selector).interestOps(SelectionKey.OP_ACCEPT);
    }
    if (settings.idleTimeout() == 0 || now - nextIdleCheck < 0) {
      return;
    }
    // A walk over every client, but only every half timeout (or half grace period): never once
    // per message.
    nextIdleCheck = now + idleCheckNanos();
    long idleNanos = TimeUnit.SECONDS.toNanos(settings.idleTimeout());
    long lingerNanos = TimeUnit.SECONDS.toNanos(settings.linger());
    for (SelectionKey key : List.copyOf(clients)) {
      Connection connection = (Connection) key.attachment();
      boolean lingering = connection.input == Input.LINGERING;
      try {
        if (connection.input == Input.PAUSED && connection.queued == 0) {
          // Stopped for the budget, and owed nothing: it waits for us, and is not idle.
          connection.lastProgress = now;
        } else if (lingering && now - connection.lastProgress >= lingerNanos) {
          drop(key, "dropped idle");
        } else if (!lingering && now - connection.lastProgress >= idleNanos) {
          // A client we still owe bytes may be reading all along: the selector reports room
          // only once a third of its socket's buffer is free, which at a slow reader's pace can
          // take longer than the timeout. So we offer it one write first.
          if (!connection.pending.isEmpty()) {
            write(key);
          }
          if (key.isValid() && System.nanoTime() - connection.lastProgress >= idleNanos) {
            closeIdle(key, connection);
          }
        }
      } catch (IOException e) {
        drop(key, "reset by peer");
      } catch (RuntimeException e) {
        drop(key, "dropped on " + e.getClass().getSimpleName());
      }
    }
  }

  // Makes a new client ours (tutorial: `inputs.append(conn)`).
  private void setUp(SocketChannel client) throws IOException {
    if (clients.size() >= settings.maxConnections()) {
      // Past the cap: we name it before we close it, as a closed channel has no address left.
      log.println("refused " + name(client) + " (the cap is " + settings.maxConnections() + ")");
      client.close();
      return;
    }
    // Python's accept() gives a blocking socket on Linux (elsewhere, the listener's mode). We
    // make every client non-blocking: no read() or write() may stall the thread all share.
    client.configureBlocking(false);
    // An echo longer than one read leaves as several writes. Nagle's algorithm holds a small
    // write back while an earlier one is unacknowledged, and the client, still waiting for the
    // rest, may delay its acknowledgement (Linux by 40 to 200 ms; questions.md: TCP_NODELAY).
    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
    log.println("accepted " + name(client));
    // Only OP_READ for now: the tutorial's `outputs` list starts empty too.
    clients.add(client.register(selector, SelectionKey.OP_READ, new Connection()));
  }

  // Handles one client's events: whatever fails with this client ends here, with this client.
  private void handle(SelectionKey key) {
    try {
      if (key.isReadable()) {
        read(key);
      }
      // read() may have dropped the client: a cancelled key must not be asked again.
      if (key.isValid() && key.isWritable()) {
        write(key);
      }
    } catch (IOException e) {
      // Readable, then read() throws: that is how a reset (RST) shows up. write() throws the
      // same way (or with a broken pipe) when the client is gone.
      drop(key, "reset by peer");
    } catch (RuntimeException e) {
      // A bug of ours or a surprise from the JDK, such as a CancelledKeyException.
      drop(key, "dropped on " + e.getClass().getSimpleName());
    }
  }

  // When a client is readable, it sent bytes or hung up (tutorial: the `else` branch). What
  // the socket will not take at once we queue, and ask the selector to tell us when the client
  // can take it (tutorial: `outputs.append(r)` and `message[r].put(client_data)`).
  private void read(SelectionKey key) throws IOException {
    SocketChannel client = (SocketChannel) key.channel();
    Connection connection = (Connection) key.attachment();
    // The budget is a hard bound: we never read more than it has left. A client we already owe
    // bytes leaves its last eighth to the clients we owe nothing, so that one that reads its
    // echoes is still served while the others hold the rest.
    long room = budget - queuedInAll - (connection.queued > 0 ? budget / 8 : 0);
    if (room <= 0 && connection.input == Input.OPEN) {
      pause(key);
      updateInterest(key, "read", "nothing read, the budget is spent");
      return;
    }
    // What a lingering client sends we throw away: it takes no room.
    boolean lingering = connection.input == Input.LINGERING;
    buffer.clear().limit(lingering ? READ_SIZE : (int) Math.min(READ_SIZE, room));
    int count = client.read(buffer);
    if (count == -1) {
      // End of stream means "I am done sending", not "I am gone": a client that shut down only
      // its sending side (a half-close) still waits for every byte of its echo.
      connection.input = Input.ENDED;
      updateInterest(key, "read", "end of stream");
      if (connection.queued == 0) {
        drop(key, "closed by peer");
      }
      return;
    }
    if (lingering) {
      // Read and thrown away: a byte left unread when we close would make the close a reset.
      updateInterest(key, "read", "discarded " + count + " B (lingering)");
      return;
    }
    connection.lastProgress = System.nanoTime();
    buffer.flip();
    // The fast path: with nothing queued ahead of these bytes, the socket almost always has
    // room, so we write them back at once and queue only what it refuses. Steps 3 to 6 queue
    // first and write on the next pass: two more epoll_ctl calls and a pass for every echo.
    int wrote = connection.queued == 0 ? client.write(buffer) : 0;
    queue(connection, buffer);
    if (connection.queued >= settings.highWater()) {
      pause(key);
    }
    updateInterest(key, "read", "read " + count + " B, wrote " + wrote + " B");
  }

  // Appends the bytes to the client's queue (tutorial: `message[r].put()`): after what its last
  // buffer holds if they fit there, else in a new buffer of at least CHUNK_SIZE. So what we hold
  // stays within twice what we count against the marks and the budget, plus one buffer.
  private void queue(Connection connection, ByteBuffer bytes) {
    int count = bytes.remaining();
    connection.queued += count;
    queuedInAll += count;
    ByteBuffer tail = connection.pending.peekLast();
    if (tail != null && tail.capacity() - tail.limit() >= count) {
      // The tail is still to be written out from `position` to `limit`: we add after `limit`.
      int writeFrom = tail.position();
      tail.position(tail.limit()).limit(tail.capacity());
      tail.put(bytes).flip().position(writeFrom);
    } else if (count > 0) {
      connection.pending.add(ByteBuffer.allocate(Math.max(count, CHUNK_SIZE)).put(bytes).flip());
    }
  }

  // When a client is writable, its socket has room: we write from the head of its queue, in
  // order, until the queue is empty or the socket is full again (tutorial: the `wlist` loop).
  private void write(SelectionKey key) throws IOException {
    Connection connection = (Connection) key.attachment();
    long written = 0;
    while (!connection.pending.isEmpty()) {
      ByteBuffer head = connection.pending.peek();
      written += ((SocketChannel) key.channel()).write(head);
      if (head.hasRemaining()) {
        // A partial write: the socket took what it could. The rest stays at the head and
        // OP_WRITE stays on, so the selector calls us again when there is room.
        break;
      }
      connection.pending.remove();
    }
    connection.queued -= written;
    queuedInAll -= written;
    connection.lastProgress = written > 0 ? System.nanoTime() : connection.lastProgress;
    waitForBudget(key, connection);
    updateInterest(key, "write", "wrote " + written + " B");
    resumeWaiting();
    if (connection.input == Input.ENDED && connection.queued == 0) {
      // Every byte it sent is back: its half-close is complete, and so are we.
      drop(key, "closed by peer");
    }
  }

  // The one place that decides what we want to hear about a client: OP_READ while we read its
  // input, OP_WRITE only while bytes are queued for it (tutorial: `outputs.append(r)`, then
  // `outputs.remove(w)`). A key left with OP_WRITE on and nothing to write is ready on every
  // pass: select() would return at once, forever, at 100% CPU.
  private void updateInterest(SelectionKey key, String handled, String done) {
    Connection connection = (Connection) key.attachment();
    boolean reading = connection.input == Input.OPEN || connection.input == Input.LINGERING;
    int read = reading ? SelectionKey.OP_READ : 0;
    int interest = read | (connection.queued > 0 ? SelectionKey.OP_WRITE : 0);
    String change = ops(key.interestOps()) + " -> " + ops(interest);
    key.interestOps(interest);
    trace(key, handled, done + ", queued " + connection.queued + " B, interest " + change);
  }

  // The one way a client leaves, whatever the reason. The tutorial only removes the socket from
  // `inputs` and never closes it, leaking a descriptor per client. We close the channel, which
  // also cancels its key; its queue goes with the key's attachment, and out of the budget.
  private void drop(SelectionKey key, String why) {
    log.println(why + " " + name(key.channel()));
    queuedInAll -= ((Connection) key.attachment()).queued;
    clients.remove(key);
    waitingForRoom.remove(key);
    waitingForBudget.remove(key);
    try {
      key.channel().close();
    } catch (IOException e) {
      // Closing cancelled the key all the same: no more events, and the socket is freed.
    }
    resumeWaiting();
  }

  // Backpressure: we stop reading from this client, and TCP's flow control then makes its own
  // writes wait. Nothing is lost, and memory stays bounded.
  private void pause(SelectionKey key) {
    Connection connection = (Connection) key.attachment();
    connection.input = Input.PAUSED;
    log.println("paused reading " + name(key.channel()) + " (" + connection.queued + " queued)");
    waitForBudget(key, connection);
  }

  // A paused client at or below its low water mark waits for the budget alone: the budget, not
  // its own queue, is what keeps it paused now.
  private void waitForBudget(SelectionKey key, Connection connection) {
    if (connection.input == Input.PAUSED && connection.queued <= settings.lowWater()) {
      waitingForBudget.remove(key);
      (connection.queued == 0 ? waitingForRoom : waitingForBudget).add(key);
    }
  }

  // Bytes left the budget, by anyone's write or drop. Once all clients hold half of it or less,
  // every client waiting for it reads again; one we owe nothing, as soon as there is any room.
  private void resumeWaiting() {
    if (queuedInAll <= budget / 2) {
      waitingForRoom.addAll(waitingForBudget);
      waitingForBudget.clear();
    }
    if (queuedInAll < budget) {
      for (SelectionKey key : waitingForRoom) {
        ((Connection) key.attachment()).input = Input.OPEN;
        log.println("resumed reading " + name(key.channel()));
        updateInterest(key, "resumed", "reading again");
      }
      waitingForRoom.clear();
    }
  }

  // Nginx's lingering close. Once the kernel holds the whole echo, we cannot see the client read
  // it, so a client that is still reading looks idle too. Were we to close() it, our kernel would
  // answer the next byte it sends with a reset, and a reset throws away every byte the kernel had
  // yet to deliver. So we shut down only our output (the kernel sends our end of stream after the
  // bytes it holds), read and discard until the client's end of stream or the grace period, and
  // only then close.
  private void closeIdle(SelectionKey key, Connection connection) throws IOException {
    if (connection.queued > 0) {
      // It took nothing for a whole timeout, though we offered it a write: what we still hold
      // for it is lost. We close with a reset, for an end of stream would tell it that its echo
      // was complete. Java defines SO_LINGER for blocking sockets only; we rely on what JDK 11
      // and later do with a registered non-blocking channel: close() leaves the socket open
      // until the next select() lets go of its key, and skips the usual shutdown of its output
      // when SO_LINGER is 0, so the kernel's close then sends a reset.
      ((SocketChannel) key.channel()).setOption(StandardSocketOptions.SO_LINGER, 0);
      drop(key, "dropped idle (" + connection.queued + " B it never took)");
      return;
    }
    if (settings.linger() == 0) {
      drop(key, "dropped idle");
      return;
    }
    log.println(
        "closing idle " + name(key.channel()) + " (lingering up to " + settings.linger() + " s)");
    connection.input = Input.LINGERING;
    connection.lastProgress = System.nanoTime();
    ((SocketChannel) key.channel()).shutdownOutput();
    updateInterest(key, "idle", "shut down our output, lingering");
  }

  // How often we walk the clients: twice per idle timeout, or per grace period if that is shorter,
  // so that neither runs late by more than half of itself.
  private long idleCheckNanos() {
    long idle = settings.idleTimeout();
    long seconds = settings.linger() > 0 ? Math.min(idle, settings.linger()) : idle;
    return TimeUnit.SECONDS.toNanos(seconds) / 2;
  }

  // How long until the earliest timer is due (0 or less once it is), Long.MAX_VALUE with none.
  private long nanosToNextTimer() {
    long now = System.nanoTime();
    long idle = settings.idleTimeout() > 0 ? nextIdleCheck - now : Long.MAX_VALUE;
    return acceptPaused ? Math.min(idle, acceptResumesAt - now) : idle;
  }

  // ---- below: as in step 6 ----

  // In --trace, how many clients a pass line names before it only counts the rest.
  static final int TRACE_NAMES = 10;
  private long passes;

  // The tutorial's debug prints (`inputs`, `rlist`): one line per pass, then one indented line
  // per key we handle. The ready count is the selected-key set's size, so a key we forgot to
  // remove from it shows up in every later pass. The clients are named in the order they came,
  // the first few only, so that a trace of thousands of clients stays readable and cheap.
  private void tracePass() {
    passes++;
    int readyCount = selector.selectedKeys().size();
    if (readyCount == 0) {
      // Java cannot tell a timeout from a wakeup(): we can only say whether a timer was due.
      String why = nanosToNextTimer() <= 0 ? "a timer is due" : "woken early";
      log.println("pass " + passes + ": nothing ready (" + why + ")");
      return;
    }
    List<String> names = new ArrayList<>(List.of("listener"));
    clients.stream().limit(TRACE_NAMES).forEach(key -> names.add(name(key.channel())));
    if (clients.size() > TRACE_NAMES) {
      names.add("and " + (clients.size() - TRACE_NAMES) + " more");
    }
    log.printf(
        "pass %d: %d ready of %d registered %s%n", passes, readyCount, 1 + clients.size(), names);
  }

  private void trace(SelectionKey key, String handled, String what) {
    if (trace) {
      log.println("  " + name(key.channel()) + " " + handled + ": " + what);
    }
  }

  private static String ops(int interest) {
    boolean read = (interest & SelectionKey.OP_READ) != 0;
    boolean write = (interest & SelectionKey.OP_WRITE) != 0;
    return read && write ? "read+write" : read ? "read" : write ? "write" : "nothing";
  }

  static final String USAGE =
      """
      usage: EchoServer [--trace] [--high-water=BYTES] [--low-water=BYTES] [--max-connections=N]
                        [--idle-timeout=SECONDS] [--linger=SECONDS] [port] [host]
        by default port 9999 (0 picks a free one), host 127.0.0.1, --high-water=1048576 (1 MiB),
        --low-water a quarter of it, --max-connections=20000, --idle-timeout=300 (0 is never)
        and --linger=30; --trace prints each pass of the loop and what it did with each key""";

  /** The port we listen on: the one asked for, or the one the OS picked for port 0. */
  public int port() {
    return listener.socket().getLocalPort();
  }

  /** Stops the loop and waits while run() closes every socket; call it from any thread. */
  @Override
  public void close() {
    running = false;
    // wakeup() is the Selector's own way to end a select() from another thread.
    selector.wakeup();
    // run() holds this object's lock until it has closed everything: taking it waits for that.
    synchronized (this) {
      closeEverything();
    }
  }

  // Closes the listener, every client and the selector: in run(), or in close() if run() never ran.
  private void closeEverything() {
    if (selector.isOpen()) {
      closeQuietly(listener);
      selector.keys().forEach(key -> closeQuietly(key.channel()));
      closeQuietly(selector);
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      // Null only when the constructor failed before it opened this one.
      if (closeable != null) {
        closeable.close();
      }
    } catch (IOException ignored) {
      // Closing is best effort: there is nobody left to tell.
    }
  }

  // How the log names a channel: "listener", or the client's address.
  private String name(Channel channel) {
    if (channel == listener) {
      return "listener";
    }
    try {
      return describe(((SocketChannel) channel).getRemoteAddress());
    } catch (IOException e) {
      return "(closed)";
    }
  }

  // 127.0.0.1:9999, with an IPv6 address in brackets, rather than Java's /127.0.0.1:9999.
  static String describe(SocketAddress address) {
    InetSocketAddress inet = (InetSocketAddress) address;
    String host = inet.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
  }

  /** Parses the arguments and opens the server, or says in one line why not and returns null. */
  static EchoServer launch(String[] args, PrintStream out, PrintStream err) {
    List<String> words = new ArrayList<>(List.of(args));
    boolean trace = words.remove("--trace");
    InetSocketAddress address;
    Settings settings;
    try {
      long high = setting(words, "--high-water", HIGH_WATER, 1, 1 << 30, "bytes");
      long low = setting(words, "--low-water", high / 4, 0, high - 1, "bytes, below --high-water");
      long cap = setting(words, "--max-connections", MAX_CONNECTIONS, 1, 1 << 20, "clients");
      long idle = setting(words, "--idle-timeout", IDLE_TIMEOUT, 0, 86_400, "seconds; 0 is off");
      long linger = setting(words, "--linger", LINGER, 0, 3_600, "seconds; 0 closes at once");
      settings = new Settings(high, low, (int) cap, idle, linger);
      address = address(words);
    } catch (IllegalArgumentException e) {
      err.println("EchoServer: " + e.getMessage() + " (--help for usage)");
      return null;
    }
    try {
      EchoServer server = new EchoServer(address, trace, settings, out);
      out.println("listening on " + describe(server.listener.getLocalAddress()));
      return server;
    } catch (IOException e) {
      err.println("EchoServer: cannot listen on " + describe(address) + ": " + e.getMessage());
      return null;
    }
  }

  // What is left once the options are taken out: [port] [host].
  private static InetSocketAddress address(List<String> words) {
    String option = words.stream().filter(word -> word.startsWith("--")).findFirst().orElse(null);
    if (option != null || words.size() > 2) {
      String why = option != null ? "unknown option " + option : "too many words";
      throw new IllegalArgumentException(why + " in '" + String.join(" ", words) + "'");
    }
    String port = words.isEmpty() ? "9999" : words.get(0);
    if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException("the port must be from 0 to 65535, not '" + port + "'");
    }
    String host = words.size() < 2 ? "127.0.0.1" : words.get(1);
    InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(port));
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("unknown host '" + host + "'");
    }
    return address;
  }

  // Takes `name=N` out of the words and returns N, from min to max; or the default without it.
  private static long setting(
      List<String> words, String name, long fallback, long min, long max, String unit) {
    String word = words.stream().filter(w -> w.startsWith(name + "=")).findFirst().orElse(null);
    if (word == null || !words.remove(word)) {
      return fallback;
    }
    String value = word.substring(name.length() + 1);
    long n = value.matches("[0-9]{1,18}") ? Long.parseLong(value) : -1;
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          word + ": must be from " + min + " to " + max + " " + unit);
    }
    return n;
  }

  public static void main(String[] args) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    EchoServer server = launch(args, System.out, System.err);
    if (server == null) {
      System.exit(1);
    }
    // Ctrl-C runs this hook: close() stops the loop and waits while run() closes every socket.
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    if (!server.run()) {
      System.exit(1);
    }
  }
}
