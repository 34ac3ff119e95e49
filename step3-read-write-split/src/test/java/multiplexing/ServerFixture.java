package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One server on a loopback port the OS picks, its loop on a thread of its own, its log kept. */
final class ServerFixture implements AutoCloseable {
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  final EchoServer server;
  private final Thread loop;

  private ServerFixture(boolean trace) throws IOException {
    PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    server = EchoServer.open(new InetSocketAddress("127.0.0.1", 0), trace, log);
    loop = new Thread(server::run, "echo-loop");
    loop.start();
  }

  static ServerFixture start() throws IOException {
    return new ServerFixture(false);
  }

  static ServerFixture startTracing() throws IOException {
    return new ServerFixture(true);
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

  boolean loopEnded() {
    return !loop.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    server.close();
    loop.join(5_000);
    assertThat(loop.isAlive()).as("the loop ended").isFalse();
  }
}
