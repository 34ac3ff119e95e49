import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Step 1 with a thread per client: a client that waits holds up nobody else. A platform thread is
 * an operating-system thread with a stack, and each blocked read() has a buffer of its own, where a
 * selector server shares one between all its clients. With {@code --virtual} (JDK 21 or newer) each
 * client gets a virtual thread: the JDK parks it in read() and write(), waits for its socket with
 * the epoll a Selector uses, and lends its carrier thread to another; each still has a stack (on
 * the heap) and a buffer. {@code java bench/contenders/ThreadPerClientEchoServer.java [--virtual]
 * [port]} (9999 by default) prints the steps' log lines.
 */
public final class ThreadPerClientEchoServer {
  public static void main(String[] args) throws Exception {
    List<String> words = List.of(args);
    boolean virtual = !words.isEmpty() && words.get(0).equals("--virtual");
    List<String> rest = words.subList(virtual ? 1 : 0, words.size());
    if (rest.size() > 1 || !rest.stream().allMatch(w -> w.matches("\\d{1,5}"))) {
      System.err.println("usage: ThreadPerClientEchoServer.java [--virtual] [port]");
      System.exit(2);
    } else if (virtual && Runtime.version().feature() < 21) {
      System.err.println("--virtual needs JDK 21 or newer; this is JDK " + Runtime.version());
      System.exit(2);
    }
    int port = rest.isEmpty() ? 9999 : Integer.parseInt(rest.get(0));
    ThreadFactory threads = Thread::new;
    if (virtual) { // Thread.ofVirtual().factory(), by name: this file compiles on JDK 17 too
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> type = Class.forName("java.lang.Thread$Builder");
      threads = (ThreadFactory) type.getMethod("factory").invoke(builder);
    }
    try (ServerSocket listener = new ServerSocket()) {
      // Step 7's backlog, so that a burst of connections measures threads, not the accept queue.
      listener.bind(new InetSocketAddress("127.0.0.1", port), 4096);
      System.out.println("listening on 127.0.0.1:" + listener.getLocalPort());
      while (true) {
        Socket client = listener.accept();
        System.out.println("accepted " + name(client));
        try {
          threads.newThread(() -> echo(client)).start();
        } catch (OutOfMemoryError e) {
          // No thread for this client (the system's limit on threads, or no memory for a stack):
          // we turn it away and keep serving the others.
          System.out.println("refused " + name(client) + " (" + e.getMessage() + ")");
          client.close();
        }
      }
    }
  }

  // Step 1's echo loop, on the client's own thread: blocking here holds up nobody else. Its
  // buffer is the size InputStream.transferTo() uses since JDK 21: every message we send fits.
  private static void echo(Socket client) {
    byte[] buffer = new byte[16 * 1024];
    try (client) {
      client.setTcpNoDelay(true);
      InputStream in = client.getInputStream();
      for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
        // A client that stops reading fills its socket buffers: then write() blocks this thread,
        // which stops reading from that client. Backpressure, at the price of a thread.
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
