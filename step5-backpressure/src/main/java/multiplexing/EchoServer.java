package multiplexing;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Step 4: every failure costs one connection, never the server (the seed's error list).
 *
 * <p>The seed's third list does not carry errors. select()'s third argument reports "exceptional
 * conditions", which on Linux means TCP out-of-band data; a reset peer shows up in the first list
 * as readable, and then recv() raises. The seed also passes an empty third list, so its cleanup
 * loop never runs. Java's Selector has no third set at all: a socket's error or hang-up makes its
 * key ready for what it asked for, and the failure itself then reaches us as an exception from
 * read() or write(). With the orderly end of a stream, read() returning -1, and our own surprises,
 * every way a client leaves ends in {@link #drop}. A failed accept() has no client to drop: it
 * pauses accepting instead.
 */
public final class EchoServer implements Closeable {
  static final int DEFAULT_PORT = 9999;
  static final String DEFAULT_HOST = "127.0.0.1";
  static final String USAGE =
      "usage: EchoServer [--trace] [--high-water=BYTES] [--low-water=BYTES]"
          + " [--max-connections=N] [--idle-timeout=SECONDS] [port] [host]";

  // The seed reads with recv(1024). Each read is written back or copied into its client's queue
  // at once, so the buffer we read into is scratch space every client shares, and it can be big:
  // one read() takes a 16 KiB message whole, where 1 KiB reads took sixteen calls.
  static final int READ_SIZE = 64 * 1024;
  // Queued bytes live in buffers of at least this size, so that a client sending a byte at a
  // time cannot make us keep a buffer object (a hundred bytes of bookkeeping) for every byte.
  static final int CHUNK_SIZE = 1024;
  // Java's default backlog is 50: a burst of connects beyond it would see SYNs dropped and
  // retried a second later. The kernel caps this at net.core.somaxconn.
  static final int BACKLOG = 4096;
  // After a failed accept() we stop accepting for a while, twice as long each time it fails.
  static final long FIRST_ACCEPT_PAUSE_MILLIS = 50;
  static final long LONGEST_ACCEPT_PAUSE_MILLIS = 1_600;

  private final ServerSocketChannel listener;
  private final SelectionKey listenerKey;
  private final Selector selector;
  private final boolean trace;
  private final Limits limits;
  // All clients together may make us hold at most a quarter of the heap, however many they are.
  private final long totalHighWater = Runtime.getRuntime().maxMemory() / 4;
  private final PrintStream log;
  // One buffer serves every client: each read is copied into that client's queue at once. It
  // is a direct buffer, so the kernel copies into it with no hidden copy in between.
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_SIZE);
  private final AtomicBoolean loopClaimed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  // Whether accepting is paused, until when, and how long the next pause will be.
  private boolean acceptPaused;
  private long acceptResumesAt;
  private long acceptPauseMillis = FIRST_ACCEPT_PAUSE_MILLIS;
  // When we next look for idle clients, and how many keys this pass has cancelled.
  private long nextIdleCheck;
  private int droppedThisPass;

  // What the loop has done, for tests and the curious. Only the loop thread writes these.
  private volatile long wakeups;
  private volatile int connections;
  private volatile long queuedBytes;
  private volatile int writeInterested;
  private volatile int registeredKeys;

  /** How much a client may be owed, how many clients we take, how long they may idle. */
  record Limits(int highWater, int lowWater, int maxConnections, Duration idleTimeout) {
    static final Limits DEFAULTS = new Limits(1024 * 1024, 256 * 1024, 20_000, Duration.ZERO);

    Limits {
      if (lowWater < 0 || highWater <= lowWater) {
        throw new IllegalArgumentException("need 0 <= low water < high water");
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("max connections must be at least 1");
      }
      if (idleTimeout.isNegative() || idleTimeout.compareTo(Duration.ofDays(365)) > 0) {
        throw new IllegalArgumentException("the idle timeout must be from 0 to 365 days");
      }
    }
  }

  /**
   * What one client is owed: bytes we read from it and have not yet written back (the seed's {@code
   * message[conn]} queue), and where it stands. It rides on the client's key as the key's
   * attachment, so it lives exactly as long as the registration: a map keyed by channel would work
   * too, but we would have to remember to delete from it on every way out, as the seed does with
   * {@code del}.
   */
  private static final class Connection {
    final Deque<ByteBuffer> pending = new ArrayDeque<>();
    // Bytes in `pending`, compared with the high and low water marks.
    long queued;
    // Above the high water mark we stop reading until the client catches up to the low one.
    boolean readPaused;
    // The client shut down its sending side: no more reads, but we still owe it its echo.
    boolean inputClosed;
    // The interest set we last gave the key, so we never ask the key for it.
    int interest = SelectionKey.OP_READ;
    // System.nanoTime() when a byte last moved either way, for the idle timeout.
    long lastProgress = System.nanoTime();
  }

  private EchoServer(
      ServerSocketChannel listener,
      SelectionKey listenerKey,
      Selector selector,
      boolean trace,
      Limits limits,
      PrintStream log) {
    this.listener = listener;
    this.listenerKey = listenerKey;
    this.selector = selector;
    this.trace = trace;
    this.limits = limits;
    this.log = log;
  }

  /** Binds and registers the listening socket; port 0 picks any free port. */
  public static EchoServer open(
      InetSocketAddress address, boolean trace, Limits limits, PrintStream log) throws IOException {
    // The first close of any NIO channel loads a JDK class that needs spare descriptors of its
    // own. Should they run out before that (a burst of connects at start-up), it never loads,
    // and no channel can be written or closed again. So we close one now, while we can.
    SocketChannel.open().close();
    Selector selector = Selector.open();
    ServerSocketChannel listener = ServerSocketChannel.open();
    SelectionKey listenerKey;
    try {
      listener.bind(address, BACKLOG);
      // The seed's sk.setblocking(False): accept() must never stall the one thread we have.
      listener.configureBlocking(false);
      listenerKey = listener.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      listener.close();
      selector.close();
      throw e;
    }
    EchoServer server = new EchoServer(listener, listenerKey, selector, trace, limits, log);
    log.println("listening on " + describe(listener.getLocalAddress()));
    return server;
  }

  /** The port we listen on: the one asked for, or the one the OS picked for port 0. */
  public int port() {
    return listener.socket().getLocalPort();
  }

  /** Runs the select loop on the calling thread until {@link #close()}; false if it failed. */
  public boolean run() {
    if (!loopClaimed.compareAndSet(false, true)) {
      if (!running) {
        return true;
      }
      throw new IllegalStateException("the loop is already running");
    }
    nextIdleCheck = System.nanoTime() + idleCheckInterval();
    try {
      while (running) {
        // Unlike steps 2 and 3 we sometimes have work on a timer: resuming accepts after a
        // pause, and looking for idle clients. Otherwise we block, as before.
        selector.select(selectTimeoutMillis());
        wakeups++;
        if (Thread.currentThread().isInterrupted()) {
          // An interrupt is how Java asks a thread to stop, so we stop as close() would, and
          // leave the flag set for whoever called run().
          log.println("interrupted, stopping");
          running = false;
          break;
        }
        if (trace) {
          trace();
        }
        // The selector adds ready keys to this set and never removes them: we must, or we
        // would handle the same event again on the next pass.
        Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
        droppedThisPass = 0;
        while (ready.hasNext()) {
          SelectionKey key = ready.next();
          ready.remove();
          if (key.isAcceptable()) {
            accept();
          } else {
            handle(key);
          }
        }
        onTimers();
        // Keys cancelled this pass leave selector.keys() only at the next select().
        registeredKeys = selector.keys().size() - 1 - droppedThisPass;
      }
      return true;
    } catch (IOException e) {
      // Only select() itself gets here: the selector is broken, so nobody can be served.
      log.println("stopped by " + e);
      return false;
    } finally {
      // An Error while closing must not leave close() waiting for this latch forever.
      try {
        closeEverything();
      } finally {
        stopped.countDown();
      }
    }
  }

  // When the listener is readable, someone connected (seed: `if r == sk`). We take everyone
  // waiting, up to a backlog's worth, so a burst of connects needs few passes.
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
        acceptPauseMillis = FIRST_ACCEPT_PAUSE_MILLIS;
        return;
      }
      try {
        setUp(client);
      } catch (IOException | RuntimeException e) {
        // The client can reset between connecting and being set up; and whatever else goes
        // wrong here costs this client alone.
        closeQuietly(client);
        log.println("dropped on " + e.getClass().getSimpleName() + " " + describeRemote(client));
      }
    }
  }

  // Registers a new client, or closes it at once if we already hold as many as we may.
  private void setUp(SocketChannel client) throws IOException {
    if (connections >= limits.maxConnections()) {
      closeQuietly(client);
      log.println(
          "refused " + describeRemote(client) + " (the cap is " + limits.maxConnections() + ")");
      return;
    }
    client.configureBlocking(false);
    // Echo replies are small and immediate: Nagle's algorithm would only hold them back.
    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
    log.println("accepted " + describeRemote(client));
    // Only OP_READ for now: the seed's `outputs` list starts empty too. Nothing after the
    // registration can fail, so a client is either fully counted or closed.
    client.register(selector, SelectionKey.OP_READ, new Connection());
    connections++;
  }

  // accept() fails when we are out of descriptors (EMFILE, ENFILE) or memory. Trying again at
  // once would fail again at once: a hot loop that starves every client. So we stop asking
  // for OP_ACCEPT for a while; the kernel keeps new arrivals in the backlog meanwhile, and the
  // listening socket stays open.
  private void pauseAccepting(IOException e) {
    log.println("accept failed (" + e.getMessage() + "), pausing " + acceptPauseMillis + " ms");
    listenerKey.interestOps(0);
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
    } catch (IOException | RuntimeException e) {
      fail(key, e);
    }
  }

  private void fail(SelectionKey key, Exception e) {
    if (e instanceof IOException) {
      // Readable, then read() throws: that is how a reset (RST) shows up. write() throws the
      // same way (or with a broken pipe) when the client is gone.
      drop(key, "reset by peer");
    } else {
      // A bug of ours or a surprise from the JDK, such as a CancelledKeyException.
      drop(key, "dropped on " + e.getClass().getSimpleName());
    }
  }

  // When a client is readable, it sent bytes or hung up (seed: the `else` branch). What the
  // socket will not take at once we queue, and ask the selector to tell us when the client can
  // take it (seed: `outputs.append(r)` and `message[r].put(client_data)`).
  private void read(SelectionKey key) throws IOException {
    SocketChannel client = (SocketChannel) key.channel();
    Connection connection = (Connection) key.attachment();
    buffer.clear();
    int count = client.read(buffer);
    if (count == -1) {
      // End of stream means "I am done sending", not "I am gone": a client that shut down
      // only its sending side (a half-close) still waits for every byte of its echo.
      connection.inputClosed = true;
      if (connection.pending.isEmpty()) {
        drop(key, "closed by peer");
      } else {
        updateInterest(key, connection);
      }
      return;
    }
    if (count == 0) {
      // Ready, yet nothing to read after all: nothing to queue either.
      return;
    }
    buffer.flip();
    connection.lastProgress = System.nanoTime();
    if (connection.pending.isEmpty()) {
      // Nothing waits ahead of these bytes, and the socket almost always has room: we write
      // them back at once and queue only what it refuses. Asking the selector first, as step 3
      // does, costs two epoll_ctl calls and a pass for every read (bench/README.md counts them).
      client.write(buffer);
      if (!buffer.hasRemaining()) {
        return;
      }
    }
    int refused = buffer.remaining();
    queue(connection, buffer);
    queuedBytes += refused;
    // Backpressure: a client that sends and does not read would make us hold everything it
    // sends. Past its high water mark, or once all clients together are owed a quarter of the
    // heap, we stop reading from it; TCP's flow control then makes its own writes wait.
    // Nothing is dropped, and memory stays bounded.
    if (!connection.readPaused
        && (connection.queued >= limits.highWater() || queuedBytes >= totalHighWater)) {
      connection.readPaused = true;
      log.println(
          "paused reading " + describeRemote(client) + " (" + connection.queued + " queued)");
    }
    updateInterest(key, connection);
  }

  // Appends what we read to the client's queue: into the last buffer while it has room, else in
  // a new one of at least CHUNK_SIZE bytes.
  private static void queue(Connection connection, ByteBuffer bytes) {
    int count = bytes.remaining();
    ByteBuffer tail = connection.pending.peekLast();
    if (tail != null && tail.capacity() - tail.limit() >= count) {
      // The tail is ready for writing out from `position` to `limit`: we add after `limit`.
      int writeFrom = tail.position();
      tail.position(tail.limit()).limit(tail.capacity());
      tail.put(bytes).flip().position(writeFrom);
    } else {
      connection.pending.add(ByteBuffer.allocate(Math.max(count, CHUNK_SIZE)).put(bytes).flip());
    }
    connection.queued += count;
  }

  // When a client is writable, its socket has room: we write from the head of its queue, in
  // order, until the queue is empty or the socket is full again (seed: the `wlist` loop).
  private void write(SelectionKey key) throws IOException {
    SocketChannel client = (SocketChannel) key.channel();
    Connection connection = (Connection) key.attachment();
    Deque<ByteBuffer> pending = connection.pending;
    while (!pending.isEmpty()) {
      ByteBuffer head = pending.peek();
      int written = client.write(head);
      connection.queued -= written;
      queuedBytes -= written;
      if (written > 0) {
        connection.lastProgress = System.nanoTime();
      }
      if (head.hasRemaining()) {
        // A partial write: the socket took what it could. The rest stays at the head and
        // OP_WRITE stays on, so the selector calls us again when there is room.
        break;
      }
      pending.remove();
    }
    if (connection.readPaused && connection.queued <= limits.lowWater()) {
      connection.readPaused = false;
      log.println("resumed reading " + describeRemote(client));
    }
    if (connection.inputClosed && pending.isEmpty()) {
      drop(key, "closed by peer");
      return;
    }
    updateInterest(key, connection);
  }

  // The one place that decides what we want to hear about a client, from what it is owed:
  // OP_READ unless it half-closed or we paused it; OP_WRITE only while bytes are queued. A key
  // left with OP_WRITE on and nothing to write is ready on every pass: select() would return
  // at once, forever, at 100% CPU.
  private void updateInterest(SelectionKey key, Connection connection) {
    int interest = 0;
    if (!connection.inputClosed && !connection.readPaused) {
      interest |= SelectionKey.OP_READ;
    }
    if (!connection.pending.isEmpty()) {
      interest |= SelectionKey.OP_WRITE;
    }
    if (interest == connection.interest) {
      return;
    }
    boolean wasWriting = (connection.interest & SelectionKey.OP_WRITE) != 0;
    boolean writing = (interest & SelectionKey.OP_WRITE) != 0;
    if (writing != wasWriting) {
      writeInterested += writing ? 1 : -1;
    }
    connection.interest = interest;
    key.interestOps(interest);
  }

  // The one way a connection leaves, whatever the reason: its bytes leave the counters, its key
  // is cancelled (no more events) and its channel closed (the socket is freed once the next
  // select() lets go of the key). The seed only removes the socket from `inputs` and never
  // closes it, leaking a descriptor per client.
  private void drop(SelectionKey key, String why) {
    SocketChannel client = (SocketChannel) key.channel();
    Connection connection = (Connection) key.attachment();
    log.println(why + " " + describeRemote(client));
    queuedBytes -= connection.queued;
    if ((connection.interest & SelectionKey.OP_WRITE) != 0) {
      writeInterested--;
    }
    connections--;
    droppedThisPass++;
    key.cancel();
    closeQuietly(client);
  }

  // Work on a timer, after each pass: resume accepting once a pause is over, and drop clients
  // that made no progress either way for the idle timeout.
  private void onTimers() {
    long now = System.nanoTime();
    if (acceptPaused && now - acceptResumesAt >= 0) {
      acceptPaused = false;
      listenerKey.interestOps(SelectionKey.OP_ACCEPT);
    }
    if (limits.idleTimeout().isZero() || now - nextIdleCheck < 0) {
      return;
    }
    // A scan of every client, but at most twice per timeout: never once per message.
    nextIdleCheck = now + idleCheckInterval();
    long idleNanos = limits.idleTimeout().toNanos();
    for (SelectionKey key : selector.keys()) {
      if (key.isValid()
          && key.attachment() instanceof Connection connection
          && now - connection.lastProgress >= idleNanos) {
        dropIfIdle(key, connection, idleNanos);
      }
    }
  }

  // No progress for the idle timeout, as far as we saw. But a client still owed bytes may be
  // reading all along: the selector reports room in its socket only once a good part of the
  // send buffer has drained, which can take seconds. So we offer it one write first; only a
  // client that takes nothing then is idle.
  private void dropIfIdle(SelectionKey key, Connection connection, long idleNanos) {
    try {
      if (!connection.pending.isEmpty()) {
        write(key);
      }
      if (key.isValid() && System.nanoTime() - connection.lastProgress >= idleNanos) {
        drop(key, "dropped idle");
      }
    } catch (IOException | RuntimeException e) {
      fail(key, e);
    }
  }

  private long idleCheckInterval() {
    return Math.max(1, limits.idleTimeout().toNanos() / 2);
  }

  // How long select() may block: until the earliest timer is due, or forever (0) if none is.
  private long selectTimeoutMillis() {
    long now = System.nanoTime();
    long due = Long.MAX_VALUE;
    if (acceptPaused) {
      due = Math.min(due, acceptResumesAt - now);
    }
    if (!limits.idleTimeout().isZero()) {
      due = Math.min(due, nextIdleCheck - now);
    }
    if (due == Long.MAX_VALUE) {
      return 0;
    }
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(due) + 1);
  }

  // The seed's debug prints (`inputs`, `rlist`), one line per loop pass: every key with what
  // it asks for (its interest set), then the keys this pass found ready, with what for.
  private void trace() {
    List<String> registered = new ArrayList<>();
    for (SelectionKey key : selector.keys()) {
      if (key.isValid()) {
        registered.add(name(key) + " " + operations(key.interestOps()));
      }
    }
    List<String> ready = new ArrayList<>();
    for (SelectionKey key : selector.selectedKeys()) {
      ready.add(name(key) + " " + operations(key.readyOps()));
    }
    log.println("select: registered " + registered + " ready " + ready);
  }

  private static String operations(int ops) {
    List<String> names = new ArrayList<>();
    if ((ops & SelectionKey.OP_ACCEPT) != 0) {
      names.add("accept");
    }
    if ((ops & SelectionKey.OP_READ) != 0) {
      names.add("read");
    }
    if ((ops & SelectionKey.OP_WRITE) != 0) {
      names.add("write");
    }
    return names.isEmpty() ? "nothing" : String.join("+", names);
  }

  private String name(SelectionKey key) {
    return key.channel() == listener ? "listener" : describeRemote((SocketChannel) key.channel());
  }

  /** How many times select() has returned: flat while nothing happens, if the loop is right. */
  public long wakeups() {
    return wakeups;
  }

  /** Clients connected right now. */
  public int connections() {
    return connections;
  }

  /** Bytes read from clients and not yet written back to them, over all clients. */
  public long queuedBytes() {
    return queuedBytes;
  }

  /** Clients whose key asks for OP_WRITE: only those with bytes still queued. */
  public int writeInterested() {
    return writeInterested;
  }

  /** Client keys registered with the selector at the end of the last pass. */
  public int registeredKeys() {
    return registeredKeys;
  }

  /** Stops the loop and waits for it to close every socket; call it from any other thread. */
  @Override
  public void close() {
    running = false;
    if (loopClaimed.compareAndSet(false, true)) {
      closeEverything();
      stopped.countDown();
      return;
    }
    // wakeup() is the Selector's own way to end a select(). An interrupt would stay set, and
    // every later select() would return at once.
    selector.wakeup();
    boolean interrupted = false;
    while (stopped.getCount() > 0) {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // The listener goes first, then every client, then the selector. A channel registered with a
  // selector is truly closed only once the selector lets go of its key, so we make it let go of
  // the listener's at once, with selectNow(): nobody new connects while we close the rest.
  private void closeEverything() {
    closeQuietly(listener);
    if (selector.isOpen()) {
      try {
        selector.selectNow();
      } catch (IOException e) {
        // The selector's own close, below, lets go of the listener all the same.
      }
      for (SelectionKey key : selector.keys()) {
        closeQuietly(key.channel());
      }
      closeQuietly(selector);
    }
    log.println("stopped");
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // Closing is best effort: there is nobody left to tell.
    }
  }

  private static String describeRemote(SocketChannel client) {
    try {
      return describe(client.getRemoteAddress());
    } catch (IOException e) {
      return "(closed)";
    }
  }

  // 127.0.0.1:9999, with an IPv6 address in brackets, rather than Java's /127.0.0.1:9999.
  static String describe(SocketAddress address) {
    if (!(address instanceof InetSocketAddress)) {
      return String.valueOf(address);
    }
    InetSocketAddress inet = (InetSocketAddress) address;
    String host =
        inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
  }

  /** What the command line asked for. */
  record Options(int port, String host, boolean trace, Limits limits) {
    static Options parse(String... args) {
      int port = DEFAULT_PORT;
      String host = DEFAULT_HOST;
      boolean trace = false;
      Limits defaults = Limits.DEFAULTS;
      int highWater = defaults.highWater();
      int lowWater = defaults.lowWater();
      int maxConnections = defaults.maxConnections();
      Duration idleTimeout = defaults.idleTimeout();
      int positional = 0;
      for (String arg : args) {
        if (arg.equals("--trace")) {
          trace = true;
        } else if (arg.startsWith("--high-water=")) {
          highWater = parseCount(arg);
        } else if (arg.startsWith("--low-water=")) {
          lowWater = parseCount(arg);
        } else if (arg.startsWith("--max-connections=")) {
          maxConnections = parseCount(arg);
        } else if (arg.startsWith("--idle-timeout=")) {
          idleTimeout = Duration.ofSeconds(parseCount(arg));
        } else if (arg.startsWith("-")) {
          throw new IllegalArgumentException("unknown option " + arg);
        } else if (positional == 0) {
          port = parsePort(arg);
          positional++;
        } else if (positional == 1) {
          host = arg;
          positional++;
        } else {
          throw new IllegalArgumentException("too many arguments");
        }
      }
      return new Options(
          port, host, trace, new Limits(highWater, lowWater, maxConnections, idleTimeout));
    }

    private static int parsePort(String text) {
      try {
        int port = Integer.parseInt(text);
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException ignored) {
        // Reported below, with the text the user typed.
      }
      throw new IllegalArgumentException(
          "port must be a number from 0 to 65535, not '" + text + "'");
    }

    // --name=VALUE, where VALUE is a whole number from 0 up.
    private static int parseCount(String option) {
      String value = option.substring(option.indexOf('=') + 1);
      try {
        int count = Integer.parseInt(value);
        if (count >= 0) {
          return count;
        }
      } catch (NumberFormatException ignored) {
        // Reported below, with the text the user typed.
      }
      throw new IllegalArgumentException("expected a whole number in " + option);
    }
  }

  /** Parses the arguments and opens the server, or says in one line why not (exit code 1). */
  static EchoServer launch(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("EchoServer: " + e.getMessage() + " (" + USAGE + ")");
      return null;
    }
    InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
    if (address.isUnresolved()) {
      err.println("EchoServer: unknown host '" + options.host() + "'");
      return null;
    }
    try {
      return open(address, options.trace(), options.limits(), out);
    } catch (IOException e) {
      err.println("EchoServer: cannot listen on " + describe(address) + ": " + e.getMessage());
      return null;
    }
  }

  public static void main(String[] args) {
    EchoServer server = launch(args, System.out, System.err);
    if (server == null) {
      System.exit(1);
    }
    // Ctrl-C runs this hook: it wakes the loop, which closes every socket before the JVM exits.
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    if (!server.run()) {
      System.exit(1);
    }
  }
}
