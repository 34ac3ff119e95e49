package multiplexing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain blocking test client that reads back exactly what it expects, or times out. */
final class Peer implements AutoCloseable {
  static final int TIMEOUT_MILLIS = 5_000;
  final Socket socket;

  private Peer(Socket socket) {
    this.socket = socket;
  }

  static Peer connect(int port) throws IOException {
    return connect(port, 0);
  }

  /** Connects with the given receive buffer size (0 keeps the OS default). */
  static Peer connect(int port, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.setSoTimeout(TIMEOUT_MILLIS);
    socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
    return new Peer(socket);
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads exactly {@code count} bytes, across as many reads as it takes. */
  byte[] receive(int count) throws IOException {
    byte[] bytes = socket.getInputStream().readNBytes(count);
    if (bytes.length < count) {
      throw new IOException("end of stream after " + bytes.length + " of " + count + " bytes");
    }
    return bytes;
  }

  String receiveText(int byteCount) throws IOException {
    return new String(receive(byteCount), StandardCharsets.UTF_8);
  }

  /** Sends the text and returns what came back, as many bytes as were sent. */
  String echo(String text) throws IOException {
    send(text);
    return receiveText(text.getBytes(StandardCharsets.UTF_8).length);
  }

  /** Reads until the server closes the connection; returns how many bytes came. */
  long drainToEnd() throws IOException {
    long total = 0;
    byte[] chunk = new byte[64 * 1024];
    int count;
    while ((count = socket.getInputStream().read(chunk)) != -1) {
      total += count;
    }
    return total;
  }

  int available() throws IOException {
    return socket.getInputStream().available();
  }

  /** Closes with SO_LINGER 0, so the server gets a reset (RST) instead of an end of stream. */
  void reset() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
