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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** Step 2: one thread and one {@link Selector} echo to many clients at once (seed 9.2). */
public final class EchoServer implements Closeable {
  static final int DEFAULT_PORT = 9999;
  static final String DEFAULT_HOST = "127.0.0.1";
  static final String USAGE = "usage: EchoServer [--trace] [port] [host]";

  // The seed reads with recv(1024); we read at most as much at a time.
  static final int READ_SIZE = 1024;

  private final ServerSocketChannel listener;
  private final Selector selector;
  private final boolean trace;
  private final PrintStream log;
  // One buffer serves every client: we read and write it back before touching the next key.
  private final ByteBuffer buffer = ByteBuffer.allocate(READ_SIZE);
  private final AtomicBoolean loopClaimed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

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
          } else if (key.isReadable()) {
            echo(key);
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
    client.register(selector, SelectionKey.OP_READ);
    log.println("accepted " + describe(client.getRemoteAddress()));
  }

  // When a client is readable, it sent bytes or hung up (seed: the `else` branch).
  private void echo(SelectionKey key) {
    SocketChannel client = (SocketChannel) key.channel();
    buffer.clear();
    try {
      if (client.read(buffer) == -1) {
        drop(key, "closed by peer");
        return;
      }
      buffer.flip();
      // Shortcut, kept on purpose: the seed's sendall() becomes one write() whose count we
      // ignore. When the client's socket buffers are full, write() takes only part and the
      // rest is lost. Step 3 queues what is left and waits for OP_WRITE.
      client.write(buffer);
    } catch (IOException e) {
      // Readable, then read() throws: that is how a reset (RST) shows up.
      drop(key, "reset by peer");
    }
  }

  // The seed only removes the socket from `inputs` and never closes it, leaking a descriptor
  // per client. We cancel the key (no more events) and close the channel (free the socket).
  private void drop(SelectionKey key, String why) {
    SocketChannel client = (SocketChannel) key.channel();
    log.println(why + " " + describeRemote(client));
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
