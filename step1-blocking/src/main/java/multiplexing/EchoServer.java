package multiplexing;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 1: a blocking {@link ServerSocket} echoes to one client at a time: the server one writes
 * before learning select().
 *
 * <p>What it gets wrong, on purpose (the problem this chapter solves): accept() and read() each
 * hold our one thread until something happens, and we read from one client until it leaves. So a
 * second client waits until the first leaves: it connects, but gets no echo. Step 2 fixes it with
 * one {@link java.nio.channels.Selector} that watches every socket at once (tutorial 9.2).
 */
public final class EchoServer implements Closeable {
  // The tutorial reads with recv(1024); so do we.
  static final int READ_SIZE = 1024;

  private final ServerSocket listener;
  private final PrintStream log;
  // One buffer serves every client: there is only ever one client at a time.
  private final byte[] buffer = new byte[READ_SIZE];
  // The client we are serving: close() closes it to wake a read() that waits on it.
  private volatile Socket client;
  private volatile boolean running = true;

  /** Binds the listening socket; port 0 picks any free port. */
  EchoServer(InetSocketAddress address, PrintStream log) throws IOException {
    this.log = log;
    try {
      listener = new ServerSocket();
      // Shortcut: Java's default backlog of 50 (the tutorial asks for 5). Connects beyond it in
      // a burst lose their handshake and retry a second later; step 7 asks for more.
      listener.bind(address);
    } catch (IOException e) {
      closeEverything();
      throw e;
    }
  }

  /** Runs the accept loop on the calling thread until {@link #close()}; false if it failed. */
  public synchronized boolean run() {
    try {
      while (running) {
        // accept() blocks until someone connects; meanwhile the kernel completes the handshake
        // of later clients and queues them, so they connect but wait for us.
        client = listener.accept();
        log.println("accepted " + name(client));
        // close() sets `running` before it closes `client`: if it came before we set `client`
        // above, it could not close this one, but then we see `running` false here.
        if (running) {
          echo(client);
        }
      }
      return true;
    } catch (IOException e) {
      // close() closes the listener to wake accept(): that is no failure, we are stopping.
      if (!running) {
        return true;
      }
      // Shortcut: a failed accept() (too many open files, say) ends the server. Step 4 fixes it.
      log.println("stopped by " + e);
      return false;
    } finally {
      closeEverything();
      log.println("stopped");
    }
  }

  // The weakness this step exists to show: we return only when this client leaves. Until then
  // read() waits for this client alone, and nobody else is served, however long they wait.
  private void echo(Socket client) {
    try {
      // An echo longer than one read leaves as several writes. Nagle's algorithm holds a small
      // write back while an earlier one is unacknowledged, and the client, still waiting for the
      // rest, may delay its acknowledgement (Linux by 40 to 200 ms; questions.md: TCP_NODELAY).
      client.setTcpNoDelay(true);
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      int count;
      // read() returns -1 at the end of stream: the client closed its side.
      while ((count = in.read(buffer)) != -1) {
        // A blocking write() returns once the kernel has taken every byte (the tutorial's
        // sendall()): it may wait for a slow reader, but it never loses bytes.
        out.write(buffer, 0, count);
      }
      drop(client, "closed by peer");
    } catch (IOException e) {
      // read() or write() throws when the client reset the connection, or when close() closed
      // this socket to wake read(): then we are stopping, and that is no reset.
      if (running) {
        drop(client, "reset by peer");
      }
    }
  }

  // The tutorial never closes a client that left, leaking a descriptor each time; we do.
  private void drop(Socket client, String why) {
    log.println(why + " " + name(client));
    try {
      client.close();
    } catch (IOException e) {
      // The socket is freed all the same.
    }
  }

  // ---- below: starting and stopping, arguments and names ----

  static final String USAGE =
      """
      usage: EchoServer [port] [host]
        by default port 9999 (0 picks a free one) and host 127.0.0.1""";

  /** The port we listen on: the one asked for, or the one the OS picked for port 0. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Stops the loop and waits while run() closes every socket; call it from any thread. */
  @Override
  public void close() {
    running = false;
    // A blocked accept() or read() wakes only when its socket is closed: plain sockets have no
    // wakeup(). So we close the listener and the client we serve; run() then sees `running`.
    closeEverything();
    // run() holds this object's lock until it has closed everything: taking it waits for that.
    synchronized (this) {
    }
  }

  private void closeEverything() {
    closeQuietly(listener);
    Socket serving = client;
    if (serving != null) {
      closeQuietly(serving);
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

  // How the log names a client: its address.
  private static String name(Socket client) {
    return describe(client.getRemoteSocketAddress());
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
    InetSocketAddress address;
    try {
      if (words.contains("--trace")) {
        throw new IllegalArgumentException("--trace belongs to steps 2 and later");
      }
      address = address(words);
    } catch (IllegalArgumentException e) {
      err.println("EchoServer: " + e.getMessage() + " (--help for usage)");
      return null;
    }
    try {
      EchoServer server = new EchoServer(address, out);
      out.println("listening on " + describe(server.listener.getLocalSocketAddress()));
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
