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

/**
 * Step 3: reading and writing split; each client's echo waits in a queue of its own until the
 * selector says the client can take it (tutorial 9.3).
 *
 * <p>What it still gets wrong, on purpose: the queue has no bound, so a client that sends and never
 * reads makes us hold everything it sends (step 5 bounds it); a client that shuts down only its
 * sending side loses the echo still queued for it, even a short one, since its bytes and its end of
 * stream often arrive in one pass and we read before we write (try {@code printf hello | nc -N
 * 127.0.0.1 9999}; step 4 fixes it); and a failed accept() still ends the server (step 4 fixes it).
 */
public final class EchoServer implements Closeable {
  // The tutorial reads with recv(1024); so do we.
  static final int READ_SIZE = 1024;

  private final ServerSocketChannel listener;
  private final Selector selector;
  private final boolean trace;
  private final PrintStream log;
  // One buffer serves every client: each read is copied into that client's queue at once.
  private final ByteBuffer buffer = ByteBuffer.allocate(READ_SIZE);
  // The tutorial's `inputs` list, in the order clients connected; only --trace reads it.
  private final Set<SelectionKey> clients = new LinkedHashSet<>();
  private volatile boolean running = true;

  /**
   * What one client is owed: bytes we read from it and have not yet written back (the tutorial's
   * {@code message[conn]} queue). It rides on the client's key as the key's attachment, so it lives
   * exactly as long as the registration: a map keyed by channel would work too, but we would have
   * to remember to delete from it on every way out, as the tutorial does with {@code del}.
   */
  private static final class Connection {
    final Deque<ByteBuffer> pending = new ArrayDeque<>();
    long queued;
  }

  /** Binds and registers the listening socket; port 0 picks any free port. */
  EchoServer(InetSocketAddress address, boolean trace, PrintStream log) throws IOException {
    this.trace = trace;
    this.log = log;
    selector = Selector.open();
    try {
      listener = ServerSocketChannel.open();
      // Shortcut: Java's default backlog of 50 (the tutorial asks for 5). Connects beyond it in
      // a burst lose their handshake and retry a second later; step 7 asks for more.
      listener.bind(address);
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
        // The tutorial passes a 0.5 s timeout only so its debug prints tick; we have nothing to
        // do on a timer, so we block until a key is ready or close() wakes us.
        selector.select();
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
      }
      return true;
    } catch (IOException e) {
      // Shortcut: a failed accept() (too many open files, say), or a failure to set up the
      // client it returned, ends the server. Step 4 fixes it.
      log.println("stopped by " + e);
      return false;
    } finally {
      closeEverything();
      log.println("stopped");
    }
  }

  // When the listener is readable, someone connected (tutorial: `if r == sk`).
  private void accept() throws IOException {
    SocketChannel client = listener.accept();
    if (client == null) {
      return;
    }
    setUp(client);
  }

  // Makes a new client ours (tutorial: `inputs.append(conn)`).
  private void setUp(SocketChannel client) throws IOException {
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

  // Handles one client's events: an I/O failure of this client's ends here, with this client.
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
    }
  }

  // When a client is readable, it sent bytes or hung up (tutorial: the `else` branch). We no
  // longer write here: we queue the bytes and ask the selector to tell us when the client can
  // take them (tutorial: `outputs.append(r)` and `message[r].put(client_data)`).
  private void read(SelectionKey key) throws IOException {
    SocketChannel client = (SocketChannel) key.channel();
    Connection connection = (Connection) key.attachment();
    buffer.clear();
    int count = client.read(buffer);
    if (count == -1) {
      // Shortcut, kept on purpose: we close at once, so an echo still queued for a client that
      // only shut down its sending side (a half-close) is lost. Step 4 drains it first.
      trace(key, "read", "end of stream, queued " + connection.queued + " B");
      drop(key, "closed by peer");
      return;
    }
    buffer.flip();
    // Shortcut, kept on purpose: the queue has no bound. A client that sends and never reads
    // makes us hold everything it sends, until memory runs out. Step 5 bounds it.
    queue(connection, buffer);
    // The tutorial's shape: ask for OP_WRITE now and write on a later pass, although the
    // socket almost always has room already. Step 7 writes at once.
    updateInterest(key, "read", "read " + count + " B");
  }

  // Appends the bytes to the client's queue (tutorial: `message[r].put()`), in a buffer of their
  // own.
  private void queue(Connection connection, ByteBuffer bytes) {
    int count = bytes.remaining();
    connection.pending.add(ByteBuffer.allocate(count).put(bytes).flip());
    connection.queued += count;
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
    updateInterest(key, "write", "wrote " + written + " B");
  }

  // The one place that decides what we want to hear about a client: OP_WRITE only while bytes
  // are queued for it (tutorial: `outputs.append(r)`, then `outputs.remove(w)`). A key left with
  // OP_WRITE on and nothing to write is ready on every pass: select() would return at once,
  // forever, at 100% CPU.
  private void updateInterest(SelectionKey key, String handled, String done) {
    long queued = ((Connection) key.attachment()).queued;
    int interest = SelectionKey.OP_READ | (queued > 0 ? SelectionKey.OP_WRITE : 0);
    String change = ops(key.interestOps()) + " -> " + ops(interest);
    key.interestOps(interest);
    trace(key, handled, done + ", queued " + queued + " B, interest " + change);
  }

  // The tutorial only removes the socket from `inputs` and never closes it, leaking a
  // descriptor per client. We close the channel, which also cancels its key.
  private void drop(SelectionKey key, String why) {
    log.println(why + " " + name(key.channel()));
    clients.remove(key);
    try {
      key.channel().close();
    } catch (IOException e) {
      // Closing cancelled the key all the same: no more events, and the socket is freed.
    }
  }

  // ---- below: as in step 2, and the trace names the interest set ----

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
      // select() without a timeout returns empty only when woken: by close(), or an interrupt.
      log.println("pass " + passes + ": nothing ready (woken early)");
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
      usage: EchoServer [--trace] [port] [host]
        by default port 9999 (0 picks a free one) and host 127.0.0.1; --trace prints each pass
        of the loop and what it did with each key""";

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
    try {
      address = address(words);
    } catch (IllegalArgumentException e) {
      err.println("EchoServer: " + e.getMessage() + " (--help for usage)");
      return null;
    }
    try {
      EchoServer server = new EchoServer(address, trace, out);
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
