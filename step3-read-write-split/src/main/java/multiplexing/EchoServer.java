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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** Step 3: reads and writes split; each client's echo waits in a queue of its own (seed 9.3). */
public final class EchoServer implements Closeable {
  static final int DEFAULT_PORT = 9999;
  static final String DEFAULT_HOST = "127.0.0.1";
  static final String USAGE = "usage: EchoServer [--trace] [port] [host]";

  // The seed reads with recv(1024). We now copy each read into its client's queue at once, so
  // the buffer we read into is scratch space every client shares, and it can afford to be big:
  // one read() takes a 16 KiB message whole, where 1 KiB reads took sixteen calls.
  static final int READ_SIZE = 64 * 1024;

  private final ServerSocketChannel listener;
  private final Selector selector;
  private final boolean trace;
  private final PrintStream log;
  // One buffer serves every client: each read is copied into that client's queue at once. It
  // is a direct buffer, so the kernel copies into it with no hidden copy in between.
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_SIZE);
  private final AtomicBoolean loopClaimed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  // What the loop has done, for tests and the curious. Only the loop thread writes these.
  private volatile long wakeups;
  private volatile int connections;
  private volatile long queuedBytes;
  private volatile int writeInterested;

  /**
   * What one client is owed: bytes we read from it and have not yet written back (the seed's {@code
   * message[conn]} queue). It rides on the client's key as the key's attachment, so it lives
   * exactly as long as the registration: a map keyed by channel would work too, but we would have
   * to remember to delete from it on every way out, as the seed does with {@code del}.
   */
  private static final class Connection {
    final Deque<ByteBuffer> pending = new ArrayDeque<>();
  }

  private EchoServer(
      ServerSocketChannel listener, Selector selector, boolean trace, PrintStream log) {
    this.listener = listener;
    this.selector = selector;
    this.trace = trace;
    this.log = log;
  }

  /** Binds and registers the listening socket; port 0 picks any free port. */
  public static EchoServer open(InetSocketAddress address, boolean trace, PrintStream log)
      throws IOException {
    Selector selector = Selector.open();
    ServerSocketChannel listener = ServerSocketChannel.open();
    try {
      // Shortcut: Java's default backlog of 50 (the seed asks for 5). Connects beyond it in a
      // burst lose their handshake and retry a second later; step 4 asks for more.
      listener.bind(address);
      // The seed's sk.setblocking(False): accept() must never stall the one thread we have.
      listener.configureBlocking(false);
      listener.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      listener.close();
      selector.close();
      throw e;
    }
    EchoServer server = new EchoServer(listener, selector, trace, log);
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
    try {
      while (running) {
        // The seed passes a 0.5 s timeout only so its debug prints tick; we have nothing to do
        // on a timeout, so we block until a key is ready or close() wakes us.
        selector.select();
        wakeups++;
        if (trace) {
          trace();
        }
        // The selector adds ready keys to this set and never removes them: we must, or we
        // would handle the same event again on the next pass.
        Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
        while (ready.hasNext()) {
          SelectionKey key = ready.next();
          ready.remove();
          if (key.isAcceptable()) {
            accept();
          } else {
            if (key.isReadable()) {
              read(key);
            }
            // read() may have dropped the client: a cancelled key must not be asked again.
            if (key.isValid() && key.isWritable()) {
              write(key);
            }
          }
        }
      }
      return true;
    } catch (IOException e) {
      // Shortcut: a failed accept() (too many open files, say), or a failure to set up the
      // client it returned, ends the server. Step 4 fixes it.
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

  // When the listener is readable, someone connected (seed: `if r == sk`).
  private void accept() throws IOException {
    SocketChannel client = listener.accept();
    if (client == null) {
      return;
    }
    client.configureBlocking(false);
    // Echo replies are small and immediate: Nagle's algorithm would only hold them back.
    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
    // Only OP_READ for now: the seed's `outputs` list starts empty too.
    client.register(selector, SelectionKey.OP_READ, new Connection());
    connections++;
    log.println("accepted " + describe(client.getRemoteAddress()));
  }

  // When a client is readable, it sent bytes or hung up (seed: the `else` branch). We no
  // longer write here: we queue the bytes and ask the selector to tell us when the client
  // can take them (seed: `outputs.append(r)` and `message[r].put(client_data)`).
  private void read(SelectionKey key) {
    SocketChannel client = (SocketChannel) key.channel();
    buffer.clear();
    try {
      if (client.read(buffer) == -1) {
        // Shortcut, kept on purpose: we close at once, so an echo still queued for a client
        // that only shut down its sending side (a half-close) is lost, however small: we read
        // before we write, so the end of stream wins the race. Step 4 drains the queue first.
        drop(key, "closed by peer");
        return;
      }
    } catch (IOException e) {
      // Readable, then read() throws: that is how a reset (RST) shows up.
      drop(key, "reset by peer");
      return;
    }
    buffer.flip();
    ByteBuffer copy = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
    // Shortcut, kept on purpose: the queue has no bound. A client that sends and never reads
    // makes us hold everything it sends, until memory runs out. Step 4 bounds it.
    ((Connection) key.attachment()).pending.add(copy);
    queuedBytes += copy.remaining();
    // Shortcut, kept on purpose because it is the seed's shape: we ask for OP_WRITE after
    // every read and write on the next pass, although the socket almost always has room now.
    // That costs two epoll_ctl calls and a pass per read; step 4 writes at once.
    if ((key.interestOps() & SelectionKey.OP_WRITE) == 0) {
      key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      writeInterested++;
    }
  }

  // When a client is writable, its socket has room: we write from the head of its queue, in
  // order, until the queue is empty or the socket is full again (seed: the `wlist` loop).
  private void write(SelectionKey key) {
    SocketChannel client = (SocketChannel) key.channel();
    Deque<ByteBuffer> pending = ((Connection) key.attachment()).pending;
    try {
      while (!pending.isEmpty()) {
        ByteBuffer head = pending.peek();
        queuedBytes -= client.write(head);
        if (head.hasRemaining()) {
          // A partial write: the socket took what it could. The rest stays at the head and
          // OP_WRITE stays on, so the selector calls us again when there is room.
          return;
        }
        pending.remove();
      }
    } catch (IOException e) {
      drop(key, "reset by peer");
      return;
    }
    // Nothing left to write, so we stop asking (seed: `outputs.remove(w)`). A key left with
    // OP_WRITE on is ready on every pass: select() would return at once, forever, at 100% CPU.
    key.interestOps(SelectionKey.OP_READ);
    writeInterested--;
  }

  // The seed only removes the socket from `inputs` and never closes it, leaking a descriptor
  // per client. We cancel the key (no more events) and close the channel (free the socket).
  private void drop(SelectionKey key, String why) {
    SocketChannel client = (SocketChannel) key.channel();
    log.println(why + " " + describeRemote(client));
    for (ByteBuffer unsent : ((Connection) key.attachment()).pending) {
      queuedBytes -= unsent.remaining();
    }
    if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
      writeInterested--;
    }
    connections--;
    key.cancel();
    closeQuietly(client);
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
  // selector is truly closed only once the selector lets go of its key: here, when the selector
  // itself closes, so new clients can still connect meanwhile. Step 4 closes the listener sooner.
  private void closeEverything() {
    closeQuietly(listener);
    if (selector.isOpen()) {
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
  record Options(int port, String host, boolean trace) {
    static Options parse(String... args) {
      int port = DEFAULT_PORT;
      String host = DEFAULT_HOST;
      boolean trace = false;
      int positional = 0;
      for (String arg : args) {
        if (arg.equals("--trace")) {
          trace = true;
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
      return new Options(port, host, trace);
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
      return open(address, options.trace(), out);
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
