import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * Step 1 with a virtual thread per client (JDK 21 and newer): {@code
 * ThreadPerClientEchoServer.java} with one line of code changed. It still blocks in read() and
 * write(), but a blocked virtual thread is parked by the JDK, which waits for its socket with the
 * same epoll a Selector uses, and gives the operating-system thread (its carrier) to another
 * virtual thread.
 *
 * <p>What it costs: no operating-system thread per client, but each client still has a stack (on
 * the heap, as big as the calls it has made) and a buffer of its own. The bench measures it beside
 * the platform threads, step 5 and Netty, all on the same JDK.
 *
 * <p>Run it with a JDK 21 or newer: {@code java bench/contenders/VirtualThreadEchoServer.java
 * 9999}. It prints the log lines the steps print, so the bench can drive it the same way.
 */
public final class VirtualThreadEchoServer {
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
          // The one line that differs from ThreadPerClientEchoServer.java.
          Thread.ofVirtual().name("client " + name(client)).start(() -> echo(client));
        } catch (OutOfMemoryError e) {
          // No thread for this client: no memory left for its stack.
          // We turn this client away and keep serving the others.
          System.out.println("refused " + name(client) + " (" + e.getMessage() + ")");
          client.close();
        }
      }
    }
  }

  // Step 1's echo loop, on the client's own virtual thread: blocking here parks only it.
  private static void echo(Socket client) {
    byte[] buffer = new byte[READ_SIZE];
    try (client) {
      client.setTcpNoDelay(true);
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      int count;
      while ((count = in.read(buffer)) != -1) {
        // A client that stops reading fills its socket buffers: then write() parks this
        // thread, which stops reading from that client. Backpressure, at the price of a stack.
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
