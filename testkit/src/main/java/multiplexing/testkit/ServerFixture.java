package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One step's server on a loopback port the OS picks, its loop on a thread of its own, every line it
 * prints kept. It starts the server the way its main method does, through {@code
 * EchoServer.launch(args, out, err)}, and uses only what a student's code calls too: {@code
 * port()}, {@code run()} and {@code close()}.
 */
public final class ServerFixture implements AutoCloseable {
  private final Lines log;
  private final Object server;
  private final Method close;
  private final int port;
  private final Thread loop;
  private final List<Peer> peers = new ArrayList<>();
  private boolean closed;

  private ServerFixture(Class<?> serverClass, Predicate<String> failOnce, String... args)
      throws IOException {
    log = new Lines(failOnce);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> words = new ArrayList<>(List.of(args));
    words.add("0");
    try {
      Method launch =
          serverClass.getDeclaredMethod(
              "launch", String[].class, PrintStream.class, PrintStream.class);
      launch.setAccessible(true);
      PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
      server =
          launch.invoke(
              null,
              words.toArray(String[]::new),
              out,
              new PrintStream(err, true, StandardCharsets.UTF_8));
      if (server == null) {
        throw new IOException("the server did not start: " + err.toString(StandardCharsets.UTF_8));
      }
      port = (Integer) serverClass.getMethod("port").invoke(server);
      close = serverClass.getMethod("close");
      Method run = serverClass.getMethod("run");
      loop = new Thread(() -> invoke(run), "echo-loop");
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("EchoServer lacks launch, port, run or close", e);
    }
    loop.start();
  }

  /** Starts the server with these arguments (and port 0). */
  public static ServerFixture start(Class<?> serverClass, String... args) throws IOException {
    return new ServerFixture(serverClass, line -> false, args);
  }

  /**
   * Starts a server whose log throws once, on the first line that matches, as a failing disk would:
   * a fault in the middle of handling one client, without touching the server's code.
   */
  public static ServerFixture startFailingOnce(
      Class<?> serverClass, Predicate<String> failOnce, String... args) throws IOException {
    return new ServerFixture(serverClass, failOnce, args);
  }

  private void invoke(Method method) {
    try {
      method.invoke(server);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  public int port() {
    return port;
  }

  /** A new client, closed with the fixture. */
  public Peer connect() throws IOException {
    return keep(Peer.connect(port));
  }

  /** A new client with a small fixed receive buffer, closed with the fixture. */
  public Peer connect(int receiveBuffer) throws IOException {
    return keep(Peer.connect(port, receiveBuffer));
  }

  private Peer keep(Peer peer) {
    synchronized (peers) {
      peers.add(peer);
    }
    return peer;
  }

  /** Every line the server has printed so far. */
  public List<String> log() {
    return log.snapshot();
  }

  public Stream<String> lines(Predicate<String> which) {
    return log().stream().filter(which);
  }

  public long count(String prefix) {
    return lines(line -> line.startsWith(prefix)).count();
  }

  public boolean logged(Predicate<String> which) {
    return log.any(which);
  }

  /** Waits up to ten seconds for a line that matches. */
  public String awaitLine(Predicate<String> which) {
    await("the server's log shows the line this test waits for")
        .atMost(Duration.ofSeconds(10))
        .until(() -> log.any(which));
    return lines(which).findFirst().orElseThrow();
  }

  public String awaitLineStartingWith(String prefix) {
    return awaitLine(line -> line.startsWith(prefix));
  }

  /**
   * Waits while the server prints no {@code --trace} pass line for {@code quiet}: its loop sleeps
   * in select(). A key left ready on every pass (OP_WRITE with nothing to write, a key never
   * removed from the selected set) or a timer that fires too often makes this fail.
   */
  public void awaitNoPassFor(Duration quiet) {
    long passes = count("pass ");
    await("the loop sleeps in select(): no pass line for " + quiet.toMillis() + " ms")
        .during(quiet)
        .atMost(quiet.multipliedBy(3))
        .until(() -> count("pass ") == passes);
  }

  public boolean loopEnded() {
    return !loop.isAlive();
  }

  public void interruptLoop() {
    loop.interrupt();
  }

  /** Closes the server, checks that its loop ended, then closes every client it made. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    invoke(close);
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (peers) {
      for (Peer peer : peers) {
        peer.close();
      }
    }
    assertThat(loop.isAlive()).as("the loop ended").isFalse();
  }

  /** The server's output, kept line by line; thread-safe, as the loop writes while tests read. */
  private static final class Lines extends OutputStream {
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final List<String> lines = new ArrayList<>();
    private final Predicate<String> failOnce;
    private boolean failed;

    Lines(Predicate<String> failOnce) {
      this.failOnce = failOnce;
    }

    @Override
    public synchronized void write(int b) {
      if (b != '\n') {
        partial.write(b);
        return;
      }
      String line = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      lines.add(line);
      if (!failed && failOnce.test(line)) {
        failed = true;
        throw new IllegalStateException("the log failed on: " + line);
      }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
      for (int i = offset; i < offset + length; i++) {
        write(bytes[i]);
      }
    }

    synchronized List<String> snapshot() {
      return List.copyOf(lines);
    }

    synchronized boolean any(Predicate<String> which) {
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (which.test(lines.get(i))) {
          return true;
        }
      }
      return false;
    }
  }
}
