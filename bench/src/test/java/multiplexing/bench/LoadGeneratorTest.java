package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The load generator notices an echo that does not match what it sent. */
class LoadGeneratorTest {
  @Test
  void aFlippedByteIsCountedAsCorrupt() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> echoWithOneFlippedByte(listener), "flipping-echo");
      server.start();
      InetSocketAddress address =
          new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
      try (LoadGenerator generator =
          LoadGenerator.connect(address, Load.once(1), 0, 5_000_000_000L)) {
        LoadGenerator.Result result = generator.exchange(0, 0, 5_000_000_000L, () -> {});

        assertThat(result.errors()).containsEntry("corrupt bytes", 1);
        assertThat(result.finished()).isZero();
      }
      server.join(5_000);
    }
  }

  // A blocking echo of one connection that flips the first byte's lowest bit.
  private static void echoWithOneFlippedByte(ServerSocket listener) {
    try (Socket client = listener.accept()) {
      InputStream in = client.getInputStream();
      byte[] message = in.readNBytes(64);
      message[0] ^= 1;
      client.getOutputStream().write(message);
      in.read();
    } catch (IOException ignored) {
      // The generator hangs up once it has seen the bad byte; that ends this echo.
    }
  }
}
