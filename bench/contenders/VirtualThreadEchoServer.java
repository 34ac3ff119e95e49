import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Step 1 with a virtual thread per client: {@code ThreadPerClientEchoServer.java} with one line of
 * code changed. It still blocks in read() and write(), but the JDK parks a blocked virtual thread,
 * waits for its socket with the same epoll a Selector uses, and gives the operating-system thread
 * (its carrier) to another. No operating-system thread per client, then, but each client still has
 * a stack (on the heap, as deep as its calls) and a buffer of its own.
 *
 * <p>{@code java bench/contenders/VirtualThreadEchoServer.java 9999} on a JDK 21 or newer. It
 * prints the steps' log lines, so the bench drives it the same way.
 */
public final class VirtualThreadEchoServer {
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    try (ServerSocket listener = new ServerSocket()) {
      // Step 7's backlog, so that a burst of connections measures threads, not the accept queue.
      listener.bind(new InetSocketAddress("127.0.0.1", port), 4096);
      System.out.println("listening on 127.0.0.1:" + listener.getLocalPort());
      while (true) {
        Socket client = listener.accept();
        System.out.println("accepted " + name(client));
        try {
          // The one line that differs from ThreadPerClientEchoServer.java.
          Thread.ofVirtual().start(() -> echo(client));
        } catch (OutOfMemoryError e) {
          // No thread for this client (no memory for its stack): we turn it away and keep
          // serving the others.
          System.out.println("refused " + name(client) + " (" + e.getMessage() + ")");
          client.close();
        }
      }
    }
  }

  // Step 1's echo loop, on the client's own virtual thread: blocking here parks only it. Its
  // buffer is the size InputStream.transferTo() uses since JDK 21: every message we send fits.
  private static void echo(Socket client) {
    byte[] buffer = new byte[16 * 1024];
    try (client) {
      client.setTcpNoDelay(true);
      InputStream in = client.getInputStream();
      for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
        // A client that stops reading fills its socket buffers: then write() parks this
        // thread, which stops reading from that client. Backpressure, at the price of a stack.
        client.getOutputStream().write(buffer, 0, n);
      }
      System.out.println("closed by peer " + name(client));
    } catch (IOException e) {
      System.out.println("reset by peer " + name(client));
    }
  }

  // 127.0.0.1:9999, rather than Java's /127.0.0.1:9999.
  private static String name(Socket client) {
    return client.getInetAddress().getHostAddress() + ":" + client.getPort();
  }
}
