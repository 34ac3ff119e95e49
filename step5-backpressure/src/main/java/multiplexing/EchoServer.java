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
 * Step 5: bounded memory and limits, and the fast path; beyond the tutorial's chapter.
 *
 * <p>Step 4 survives every way a client leaves, but it trusts every client to read what it sends:
 * one that sends and never reads makes us queue without end. Here water marks bound what we hold
 * for each client, a budget bounds what we hold for all of them, a cap bounds how many they are,
 * and an idle timeout bounds how long they may sit silent, closing without throwing away what the
 * kernel still holds for them. A larger backlog takes a burst of connects, and each echo costs
 * less: we write it at once, read 64 KiB at a time, and pack what we must queue into chunks.
 *
 * <p>What it still gets wrong, on purpose: nothing from the chapter's list. Beyond it, one thread
 * uses one core; a server for more runs one such loop per core.
 */
public final class EchoServer implements Closeable {
  // One read takes up to 64 KiB, a 16 KiB message in one call where the tutorial's recv(1024)
  // took sixteen. Each read is written back or queued before the next key, so one buffer serves
  // every client; it is a direct buffer, which the kernel fills with no hidden copy in between.
  static final int READ_SIZE = 64 * 1024;
  // What the socket refuses we pack into chunks of at least this size: a client that sends a byte
  // at a time cannot make us keep a buffer object (a hundred bytes of bookkeeping) per byte.
  static final int CHUNK_SIZE = 4 * 1024;
  // Java's default backlog is 50 (the tutorial asks for 5). When the kernel's queue of connects
  // waiting for accept() is full, it ignores the next one, and that client tries again after 1 s,
  // 3 s, 7 s: a burst of 10,000 connects takes seconds. 4096 takes the burst while we accept; the
  // kernel caps it at net.core.somaxconn (4096 on Linux since 5.4).
  static final int BACKLOG = 4096;
  // In --trace, how many clients a pass line names before it only counts the rest.
  static final int TRACE_NAMES = 10;
  // After a failed accept() we stop accepting for a while, twice as long each time it fails.
  static final long FIRST_ACCEPT_PAUSE_MILLIS = 50;
  static final long LONGEST_ACCEPT_PAUSE_MILLIS = 1_600;

  /** What step 5 lets you tune, each an option ({@code --high-water=BYTES}, ...), and why. */
  record Settings(
      long highWater, long lowWater, int maxConnections, long idleTimeout, long linger) {
    static final Settings DEFAULTS =
        new Settings(
            // --high-water=BYTES, 1 MiB: past it we stop reading from a client. Sixteen full
            // reads: a client that reads as it sends is never paused, and one that does not read
            // costs us at most this much, plus one read.
            1024 * 1024,
            // --low-water=BYTES, a quarter of the high water mark: we read again while bytes are
            // still queued, so the socket has something to send while new ones come in; and the
            // gap keeps us from pausing and resuming on every read.
            256 * 1024,
            // --max-connections=N, 20,000: a client costs a descriptor, kernel buffers and up to
            // a high water mark of memory. Past the cap we accept and close at once, so the
            // client knows straight away. Keep it below the descriptor limit (`ulimit -n`), or
            // accept() itself fails first (step 4's backoff).
            20_000,
            // --idle-timeout=SECONDS, 5 minutes (0 turns it off): a client whose machine vanished
            // (a cable pulled, a laptop shut) never sends its end of stream, and would hold its
            // place for ever. Long enough for a person at EchoClient to stop and think.
            300,
            // --linger=SECONDS, 30 (nginx's lingering_time): how long a client we close for
            // idleness has to read what the kernel still holds for it (see closeIdle()).
            30);
  }

  private final ServerSocketChannel listener;
  private final Selector selector;
  private final boolean trace;
  private final Settings settings;
  private final PrintStream log;
  // One buffer serves every client: each read is written back or queued before the next key.
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_SIZE);
  // The tutorial's `inputs` list, in the order clients connected: the cap counts it, and the
  // idle timeout and --trace walk it.
  private final Set<SelectionKey> clients = new LinkedHashSet<>();
  // All clients together may make us hold a quarter of the heap, however many they are: each
  // within its high water mark, 20,000 of them could still hold 20 GiB.
  private final long budget = Runtime.getRuntime().maxMemory() / 4;
  private long queuedInAll;
  private long passes;
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
    // The client shut down its sending side: no more reads, but we still owe it its echo.
    boolean inputClosed;
    // Past the high water mark we stop reading until the client catches up to the low one.
    boolean readPaused;
    // We closed our side for idleness, and read and discard until lingerEnds.
    boolean lingering;
    long lingerEnds;
    // System.nanoTime() when a byte last moved either way, for the idle timeout.
    long lastProgress = System.nanoTime();
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
    listener = ServerSocketChannel.open();
    try {
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
        selector.select(selectTimeoutMillis());
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
            accept();
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

  // When the listener is readable, someone connected (tutorial: `if r == sk`). We take everyone
  // waiting, up to a backlog's worth, so that a burst of connects needs few passes.
  private void accept() {
    for (int i = 0; i < BACKLOG; i++) {
      SocketChannel client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        pauseAccepting(e);
        return;
      }
      if (client == null) {
        return;
      }
      acceptPauseMillis = FIRST_ACCEPT_PAUSE_MILLIS;
      setUp(client);
    }
  }

  // Registers a new client, or refuses it when we hold as many as we may.
  private void setUp(SocketChannel client) {
    try {
      if (clients.size() >= settings.maxConnections()) {
        // We name it before we close it: a closed channel has no address left to name.
        log.println("refused " + name(client) + " (the cap is " + settings.maxConnections() + ")");
        client.close();
        return;
      }
      // Unlike Python's accept(), which hands back a blocking socket, we make each client
      // non-blocking too: no read() or write() may stall the one thread every client shares.
      client.configureBlocking(false);
      // An echo longer than one read leaves as several writes. Nagle's algorithm holds a small
      // write back while an earlier one is unacknowledged, and the client, still waiting for the
      // rest, may delay that acknowledgement by up to 40 ms (questions.md: TCP_NODELAY).
      client.setOption(StandardSocketOptions.TCP_NODELAY, true);
      log.println("accepted " + name(client));
      // Only OP_READ for now: the tutorial's `outputs` list starts empty too.
      clients.add(client.register(selector, SelectionKey.OP_READ, new Connection()));
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

  // Handles one client's events. Whatever goes wrong here costs this client alone: nothing
  // thrown reaches the loop.
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
    buffer.clear();
    int count = client.read(buffer);
    connection.lastProgress = System.nanoTime();
    if (count == -1) {
      // End of stream means "I am done sending", not "I am gone": a client that shut down only
      // its sending side (a half-close) still waits for every byte of its echo.
      connection.inputClosed = true;
      updateInterest(key, "read", "end of stream");
      if (connection.queued == 0) {
        drop(key, "closed by peer");
      }
      return;
    }
    if (connection.lingering) {
      // Read and thrown away: a byte left unread when we close would make the close a reset.
      updateInterest(key, "read", "discarded " + count + " B (lingering)");
      return;
    }
    buffer.flip();
    // The fast path: with nothing queued ahead of these bytes, the socket almost always has
    // room, so we write them back at once and queue only what it refuses. Steps 3 and 4 queue
    // first and write on the next pass: two more epoll_ctl calls and a pass for every echo.
    int wrote = connection.queued == 0 ? client.write(buffer) : 0;
    queue(connection, buffer);
    // Backpressure: past its high water mark, or once all clients together hold our budget, we
    // stop reading from this client; TCP's flow control then makes its own writes wait. Nothing
    // is lost, and memory stays bounded. A client we hold nothing for is never paused: only our
    // next write to it resumes it, and there would be none.
    if (!connection.readPaused
        && connection.queued > 0
        && (connection.queued >= settings.highWater() || queuedInAll >= budget)) {
      connection.readPaused = true;
      log.println("paused reading " + name(client) + " (" + connection.queued + " queued)");
    }
    updateInterest(key, "read", "read " + count + " B, wrote " + wrote + " B");
  }

  // Appends what the socket refused to the client's queue (tutorial: `message[r].put()`): first
  // into the room left in the last chunk, then into a new one of at least CHUNK_SIZE. So what we
  // hold in memory stays close to what we count against the water marks and the budget.
  private void queue(Connection connection, ByteBuffer bytes) {
    int count = bytes.remaining();
    ByteBuffer tail = connection.pending.peekLast();
    if (tail != null && tail.limit() < tail.capacity()) {
      // The tail is still to be written out from `position` to `limit`: we add after `limit`.
      int writeFrom = tail.position();
      int room = Math.min(tail.capacity() - tail.limit(), count);
      tail.position(tail.limit()).limit(tail.position() + room);
      tail.put(bytes.slice(bytes.position(), room)).flip().position(writeFrom);
      bytes.position(bytes.position() + room);
    }
    if (bytes.hasRemaining()) {
      int size = Math.max(bytes.remaining(), CHUNK_SIZE);
      connection.pending.add(ByteBuffer.allocate(size).put(bytes).flip());
    }
    connection.queued += count;
    queuedInAll += count;
  }

  // When a client is writable, its socket has room: we write from the head of its queue, in
  // order, until the queue is empty or the socket is full again (tutorial: the `wlist` loop).
  private void write(SelectionKey key) throws IOException {
    SocketChannel client = (SocketChannel) key.channel();
    Connection connection = (Connection) key.attachment();
    long written = 0;
    while (!connection.pending.isEmpty()) {
      ByteBuffer head = connection.pending.peek();
      written += client.write(head);
      if (head.hasRemaining()) {
        // A partial write: the socket took what it could. The rest stays at the head and
        // OP_WRITE stays on, so the selector calls us again when there is room.
        break;
      }
      connection.pending.remove();
    }
    connection.queued -= written;
    queuedInAll -= written;
    if (written > 0) {
      connection.lastProgress = System.nanoTime();
    }
    if (connection.readPaused && connection.queued <= settings.lowWater()) {
      connection.readPaused = false;
      log.println("resumed reading " + name(client));
    }
    updateInterest(key, "write", "wrote " + written + " B");
    if (connection.inputClosed && connection.queued == 0) {
      // Every byte it sent is back: its half-close is complete, and so are we.
      drop(key, "closed by peer");
    }
  }

  // The one place that decides what we want to hear about a client: OP_READ until it
  // half-closes or we pause it, OP_WRITE only while bytes are queued for it (tutorial:
  // `outputs.append(r)`, then `outputs.remove(w)`). A key left with OP_WRITE on and nothing to
  // write is ready on every pass: select() would return at once, forever, at 100% CPU.
  private void updateInterest(SelectionKey key, String handled, String done) {
    Connection connection = (Connection) key.attachment();
    long queued = connection.queued;
    int read = connection.inputClosed || connection.readPaused ? 0 : SelectionKey.OP_READ;
    int interest = read | (queued > 0 ? SelectionKey.OP_WRITE : 0);
    int before = key.interestOps();
    key.interestOps(interest);
    trace(
        key,
        handled,
        done + ", queued " + queued + " B, interest " + ops(before) + " -> " + ops(interest));
  }

  // The one way a client leaves, whatever the reason. The tutorial only removes the socket from
  // `inputs` and never closes it, leaking a descriptor per client. We close the channel, which
  // also cancels its key; its queue goes with the key's attachment, and out of the budget.
  private void drop(SelectionKey key, String why) {
    log.println(why + " " + name(key.channel()));
    queuedInAll -= ((Connection) key.attachment()).queued;
    clients.remove(key);
    try {
      key.channel().close();
    } catch (IOException e) {
      // Closing cancelled the key all the same: no more events, and the socket is freed.
    }
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
    for (SelectionKey key : List.copyOf(clients)) {
      Connection connection = (Connection) key.attachment();
      try {
        if (connection.lingering && now - connection.lingerEnds >= 0) {
          drop(key, "dropped idle");
        } else if (!connection.lingering && now - connection.lastProgress >= idleNanos) {
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

  // Nginx's lingering close. Once the kernel holds the whole echo, we cannot see the client read
  // it, so a client that is still reading looks idle too. Were we to close() it, our kernel would
  // answer the next byte it sends with a reset, and a reset throws away every byte the kernel had
  // yet to deliver. So we shut down only our output (the kernel sends our end of stream after the
  // bytes it holds), read and discard until the client's end of stream or the grace period, and
  // only then close.
  private void closeIdle(SelectionKey key, Connection connection) throws IOException {
    if (connection.queued > 0) {
      // It took nothing for a whole timeout, though we offered it a write: what we still hold
      // for it is lost. We close with a reset (SO_LINGER 0), for an end of stream would tell it
      // that its echo was complete.
      ((SocketChannel) key.channel()).setOption(StandardSocketOptions.SO_LINGER, 0);
      drop(key, "dropped idle (" + connection.queued + " B it never took)");
      return;
    }
    if (settings.linger() == 0 || connection.inputClosed) {
      // No grace asked for; or the client has sent its end of stream and can send nothing more.
      drop(key, "dropped idle");
      return;
    }
    log.println(
        "closing idle " + name(key.channel()) + " (lingering up to " + settings.linger() + " s)");
    connection.lingering = true;
    connection.lingerEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.linger());
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

  // How long select() may block: until the earliest timer is due, or for ever (0) with none.
  private long selectTimeoutMillis() {
    long due = nanosToNextTimer();
    return due == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(due) + 1);
  }

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

  // ---- below: starting and stopping, arguments and names; as in steps 2 to 4, plus settings ----

  static final String USAGE =
      "usage: EchoServer [--trace] [--high-water=BYTES] [--low-water=BYTES] [--max-connections=N]"
          + " [--idle-timeout=SECONDS] [--linger=SECONDS] [port] [host], by default 9999 127.0.0.1";

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
    }
  }

  private void closeEverything() {
    closeQuietly(listener);
    selector.keys().forEach(key -> closeQuietly(key.channel()));
    closeQuietly(selector);
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
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
      Settings d = Settings.DEFAULTS;
      long high = setting(words, "--high-water", d.highWater(), 1, 1 << 30, "bytes");
      String mark = high + (high == d.highWater() ? ", the default" : "");
      String below = "bytes, below the high water mark (" + mark + ")";
      long low = setting(words, "--low-water", high / 4, 0, high - 1, below);
      long cap = setting(words, "--max-connections", d.maxConnections(), 1, 1 << 20, "clients");
      long idle = setting(words, "--idle-timeout", d.idleTimeout(), 0, 86_400, "seconds; 0 is off");
      long linger = setting(words, "--linger", d.linger(), 0, 3_600, "seconds; 0 closes at once");
      settings = new Settings(high, low, (int) cap, idle, linger);

      if (words.size() > 2 || words.stream().anyMatch(word -> word.startsWith("--"))) {
        throw new IllegalArgumentException("unknown option or extra word in: " + words);
      }
      String port = words.isEmpty() ? "9999" : words.get(0);
      if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
        throw new IllegalArgumentException("the port must be from 0 to 65535, not '" + port + "'");
      }
      String host = words.size() < 2 ? "127.0.0.1" : words.get(1);
      address = new InetSocketAddress(host, Integer.parseInt(port));
      if (address.isUnresolved()) {
        throw new IllegalArgumentException("unknown host '" + host + "'");
      }
    } catch (IllegalArgumentException e) {
      err.println("EchoServer: " + e.getMessage() + " (" + USAGE + ")");
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

  // Takes `name=N` out of the words and returns N, from min to max; or the default without it.
  private static long setting(
      List<String> words, String name, long fallback, long min, long max, String unit) {
    for (String word : words) {
      if (word.startsWith(name + "=") && words.remove(word)) {
        String value = word.substring(name.length() + 1);
        long n = value.matches("[0-9]{1,18}") ? Long.parseLong(value) : -1;
        if (n < min || n > max) {
          throw new IllegalArgumentException(
              word + ": must be a whole number from " + min + " to " + max + " " + unit);
        }
        return n;
      }
    }
    return fallback;
  }

  public static void main(String[] args) {
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
