import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * Step 1 with a thread per client: the blocking server most of us write next, before we meet a
 * Selector. Every client gets a platform thread of its own, so a client that waits holds up nobody
 * else.
 *
 * <p>What it costs: each thread is an operating-system thread with its own stack, and each blocked
 * read() needs a buffer of its own, where a selector server shares one buffer between all its
 * clients. A machine runs out of threads long before it runs out of sockets. The bench measures it
 * beside step 5 and Netty; {@code VirtualThreadEchoServer.java} is this file with one line of code
 * changed.
 *
 * <p>Run it with any JDK 17 or newer: {@code java bench/contenders/ThreadPerClientEchoServer.java
 * 9999}. It prints the log lines the steps print, so the bench can drive it the same way.
 */
public final class ThreadPerClientEchoServer {
  // A buffer per client, of the size InputStream.transferTo() uses since JDK 21: every message
  // the bench sends fits in one read.
  static final int READ_SIZE = 16 * 1024;
  // Step 5's backlog, so that a burst of connections measures threads, not the accept queue.
  static final int BACKLOG = 4096;

  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    String host = args.length > 1 ? args[1] : "127.0.0.1";
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(host, port), BACKLOG);
      System.out.println("listening on " + describe(listener.getLocalSocketAddress()));
      while (true) {
        Socket client = listener.accept();
        System.out.println("accepted " + name(client));
        try {
          // The one line that differs in VirtualThreadEchoServer.java.
          new Thread(() -> echo(client), "client " + name(client)).start();
        } catch (OutOfMemoryError e) {
          // No thread for this client: the system's limit on threads, or no memory for a stack.
          // We turn this client away and keep serving the others.
          System.out.println("refused " + name(client) + " (" + e.getMessage() + ")");
          client.close();
        }
      }
    }
  }

  // Step 1's echo loop, on the client's own thread: blocking here holds up nobody else.
  private static void echo(Socket client) {
    byte[] buffer = new byte[READ_SIZE];
    try (client) {
      client.setTcpNoDelay(true);
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      int count;
      while ((count = in.read(buffer)) != -1) {
        // A client that stops reading fills its socket buffers: then write() blocks this
        // thread, which stops reading from that client. Backpressure, at the price of a thread.
        out.write(buffer, 0, count);
      }
      System.out.println("closed by peer " + name(client));
    } catch (IOException e) {
      System.out.println("reset by peer " + name(client));
    }
  }

  private static String name(Socket client) {
    return describe(client.getRemoteSocketAddress());
  }

  // 127.0.0.1:9999, rather than Java's /127.0.0.1:9999.
  private static String describe(SocketAddress address) {
    InetSocketAddress inet = (InetSocketAddress) address;
    return inet.getAddress().getHostAddress() + ":" + inet.getPort();
  }
}
