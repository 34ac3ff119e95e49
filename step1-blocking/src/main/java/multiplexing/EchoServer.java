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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** Step 1: a blocking {@link ServerSocket} echoes to one client at a time: the problem. */
public final class EchoServer implements Closeable {
  static final int DEFAULT_PORT = 9999;
  static final String DEFAULT_HOST = "127.0.0.1";
  static final String USAGE = "usage: EchoServer [port] [host]";

  // The seed reads with recv(1024); we read at most as much at a time.
  static final int READ_SIZE = 1024;

  private final ServerSocket listener;
  private final PrintStream log;
  // One buffer serves every client: there is only ever one client at a time.
  private final byte[] buffer = new byte[READ_SIZE];
  private final AtomicBoolean loopClaimed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  // The client being served, so that close() can unblock the read() that waits on it.
  private volatile Socket current;

  private EchoServer(ServerSocket listener, PrintStream log) {
    this.listener = listener;
    this.log = log;
  }

  /** Binds the listening socket; port 0 picks any free port. */
  public static EchoServer open(InetSocketAddress address, PrintStream log) throws IOException {
    ServerSocket listener = new ServerSocket();
    try {
      listener.bind(address);
    } catch (IOException | RuntimeException e) {
      listener.close();
      throw e;
    }
    EchoServer server = new EchoServer(listener, log);
    log.println("listening on " + describe(listener.getLocalSocketAddress()));
    return server;
  }

  /** The port we listen on: the one asked for, or the one the OS picked for port 0. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Runs the accept loop on the calling thread until {@link #close()}; false if it failed. */
  public boolean run() {
    if (!loopClaimed.compareAndSet(false, true)) {
      if (!running) {
        return true;
      }
      throw new IllegalStateException("the loop is already running");
    }
    try {
      while (running) {
        Socket client = accept();
        // The weakness this step exists to show: echo() returns only when this client
        // leaves. Until then nobody else is served, however long they wait.
        echo(client);
      }
      return true;
    } catch (IOException e) {
      // close() closes the listener to wake accept(): that is no failure. Anything else is,
      // and it ends the server (a failed accept(), say, when we run out of descriptors).
      if (!running) {
        return true;
      }
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

  // accept() blocks until someone connects; the kernel queues later arrivals meanwhile.
  private Socket accept() throws IOException {
    Socket client = listener.accept();
    current = client;
    if (!running) {
      closeQuietly(client);
      throw new IOException("closed while accepting");
    }
    // Echo replies are small and immediate: Nagle's algorithm would only hold them back.
    client.setTcpNoDelay(true);
    log.println("accepted " + describe(client.getRemoteSocketAddress()));
    return client;
  }

  // read() blocks until this client sends bytes or hangs up.
  private void echo(Socket client) {
    try {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      int count;
      while ((count = in.read(buffer)) != -1) {
        // A blocking write() returns only once every byte is handed to the socket.
        out.write(buffer, 0, count);
      }
      drop(client, "closed by peer");
    } catch (IOException e) {
      // If close() shut this socket, that is no reset: we are stopping.
      if (running) {
        drop(client, "reset by peer");
      }
    }
  }

  private void drop(Socket client, String why) {
    log.println(why + " " + describe(client.getRemoteSocketAddress()));
    closeQuietly(client);
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
    // A thread blocked in accept() or read() wakes up only when its socket is closed. The loop
    // then closes everything else on its way out.
    closeQuietly(listener);
    Socket client = current;
    if (client != null) {
      closeQuietly(client);
    }
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

  // The listener goes first, so nobody new connects while we close the rest.
  private void closeEverything() {
    closeQuietly(listener);
    Socket client = current;
    if (client != null) {
      closeQuietly(client);
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
  record Options(int port, String host) {
    static Options parse(String... args) {
      int port = DEFAULT_PORT;
      String host = DEFAULT_HOST;
      int positional = 0;
      for (String arg : args) {
        if (arg.startsWith("-")) {
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
      return new Options(port, host);
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
      return open(address, out);
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
    // Ctrl-C runs this hook: it closes the sockets, which ends the loop before the JVM exits.
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    if (!server.run()) {
      System.exit(1);
    }
  }
}
