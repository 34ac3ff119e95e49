package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One step's server on a loopback port the OS picks, its loop on a thread of its own, every line it
 * prints kept. The {@link Launcher} starts it the way its main method does, through {@code
 * EchoServer.launch(args, out, err)}, and uses only what a student's code calls too: {@code
 * port()}, {@code run()} and {@code close()}.
 */
public final class ServerFixture implements AutoCloseable {
  // More lines than any test makes a server print.
  private static final int KEEP = 1 << 20;
  private final Log log = new Log(KEEP);
  private final Launcher server;
  private final List<Peer> peers = new ArrayList<>();
  private boolean closed;

  private ServerFixture(Class<?> serverClass, Predicate<String> failOnce, String... args)
      throws IOException {
    AtomicBoolean failed = new AtomicBoolean();
    log.watch(
        line -> {
          if (failOnce.test(line) && !failed.getAndSet(true)) {
            throw new IllegalStateException("the log failed on: " + line);
          }
        });
    server = Launcher.inProcess(serverClass, log, args);
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

  public int port() {
    return server.port();
  }

  /** A new client, closed with the fixture. */
  public Peer connect() throws IOException {
    return keep(Peer.connect(server.port()));
  }

  /** A new client with a small fixed receive buffer, closed with the fixture. */
  public Peer connect(int receiveBuffer) throws IOException {
    return keep(Peer.connect(server.port(), receiveBuffer));
  }

  private Peer keep(Peer peer) {
    synchronized (peers) {
      peers.add(peer);
    }
    return peer;
  }

  /** Every line the server has printed so far. */
  public List<String> log() {
    return log.lines();
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
    return log.await(which, Duration.ofSeconds(10))
        .orElseThrow(
            () ->
                new AssertionError(
                    "the server's log shows no line this test waits for in 10 s; the last: "
                        + last()));
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

  private String last() {
    List<String> lines = log.lines();
    return lines.isEmpty() ? "(none)" : lines.get(lines.size() - 1);
  }

  public boolean loopEnded() {
    return !server.isAlive();
  }

  public void interruptLoop() {
    server.loop().interrupt();
  }

  /** Closes the server, checks that its loop ended, then closes every client it made. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    server.close();
    synchronized (peers) {
      for (Peer peer : peers) {
        peer.close();
      }
    }
    assertThat(server.isAlive()).as("the loop ended").isFalse();
  }
}
