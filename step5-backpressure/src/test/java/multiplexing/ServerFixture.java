package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;

/** One server on a loopback port the OS picks, its loop on a thread of its own, its log kept. */
final class ServerFixture implements AutoCloseable {
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  final EchoServer server;
  private final Thread loop;

  private ServerFixture(boolean trace, EchoServer.Limits limits, Predicate<String> failOnce)
      throws IOException {
    PrintStream log = new FailingOncePrintStream(logBytes, failOnce);
    server = EchoServer.open(new InetSocketAddress("127.0.0.1", 0), trace, limits, log);
    loop = new Thread(server::run, "echo-loop");
    loop.start();
  }

  static ServerFixture start() throws IOException {
    return start(EchoServer.Limits.DEFAULTS, line -> false);
  }

  /** A server whose log throws once, on the first line that matches, as a failing disk would. */
  static ServerFixture start(EchoServer.Limits limits, Predicate<String> failOnce)
      throws IOException {
    return new ServerFixture(false, limits, failOnce);
  }

  static ServerFixture startTracing() throws IOException {
    return new ServerFixture(true, EchoServer.Limits.DEFAULTS, line -> false);
  }

  int port() {
    return server.port();
  }

  Peer connect() throws IOException {
    return Peer.connect(port());
  }

  /** Every line the server has logged so far. */
  List<String> log() {
    return logBytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  void interruptLoop() {
    loop.interrupt();
  }

  boolean loopEnded() {
    return !loop.isAlive();
  }

  private static final class FailingOncePrintStream extends PrintStream {
    private final Predicate<String> failOnce;
    private boolean failed;

    FailingOncePrintStream(ByteArrayOutputStream sink, Predicate<String> failOnce) {
      super(sink, true, StandardCharsets.UTF_8);
      this.failOnce = failOnce;
    }

    @Override
    public synchronized void println(String line) {
      if (!failed && failOnce.test(line)) {
        failed = true;
        throw new IllegalStateException("the log failed on: " + line);
      }
      super.println(line);
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.close();
    loop.join(5_000);
    assertThat(loop.isAlive()).as("the loop ended").isFalse();
  }
}
