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
 * One step's server on a loopback port the OS picks, started by the {@link Launcher} through what a
 * student's code has too (launch, port, run, close), with every line it prints kept and the clients
 * a test made closed with it. A {@link ChildServer} runs it in a JVM of its own.
 */
public class ServerFixture implements AutoCloseable {
  // More lines than any test makes a server print.
  static final int KEEP = 1 << 20;
  final Launcher server;
  private final List<Peer> peers = new ArrayList<>();
  private boolean closed;

  ServerFixture(Launcher server) {
    this.server = server;
  }

  /** Starts the server with these arguments (and port 0). */
  public static ServerFixture start(Class<?> serverClass, String... args) throws IOException {
    return startFailingOnce(serverClass, line -> false, args);
  }

  /**
   * Starts a server whose log throws once, on the first line that matches, as a failing disk would:
   * a fault in the middle of handling one client, without touching the server's code.
   */
  public static ServerFixture startFailingOnce(
      Class<?> serverClass, Predicate<String> failOnce, String... args) throws IOException {
    AtomicBoolean failed = new AtomicBoolean();
    Log log = new Log(KEEP);
    log.watch(
        line -> {
          if (failOnce.test(line) && !failed.getAndSet(true)) {
            throw new IllegalStateException("the log failed on: " + line);
          }
        });
    return new ServerFixture(Launcher.inProcess(serverClass, log, args));
  }

  public int port() {
    return server.port();
  }

  public Peer connect() throws IOException {
    return connect(0);
  }

  /** A new client with this fixed receive buffer (0: the OS default), closed with the fixture. */
  public synchronized Peer connect(int receiveBuffer) throws IOException {
    Peer peer = Peer.connect(server.port(), receiveBuffer);
    peers.add(peer);
    return peer;
  }

  /** Every line the server has printed so far (and, from a child, its standard error). */
  public List<String> log() {
    return server.log().lines();
  }

  public Stream<String> lines(Predicate<String> which) {
    return log().stream().filter(which);
  }

  public long count(String prefix) {
    return server.log().count(prefix);
  }

  public boolean logged(Predicate<String> which) {
    return server.log().any(which);
  }

  /** Waits up to ten seconds for a line that matches. */
  public String awaitLine(Predicate<String> which) {
    String none = "the server's log shows no line this test waits for in 10 s; the last: ";
    return server
        .log()
        .await(which, Duration.ofSeconds(10))
        .orElseThrow(
            () -> new AssertionError(none + log().stream().reduce((a, b) -> b).orElse("")));
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

  /** Waits up to 10 s until each client accepted is logged as gone, by end of stream or reset. */
  public void awaitEveryClientGone() {
    await("every client accepted is logged as gone by end of stream or reset")
        .atMost(Duration.ofSeconds(10))
        .until(() -> count("accepted ") == count("closed by peer ") + count("reset by peer "));
  }

  public boolean loopEnded() {
    return !server.isAlive();
  }

  public void interruptLoop() {
    server.loop().interrupt();
  }

  /** Closes the server, checks that it stopped, then closes every client it made. */
  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      server.close();
      for (Peer peer : peers) {
        peer.close();
      }
      assertThat(server.isAlive()).as("the server stopped").isFalse();
    }
  }
}
