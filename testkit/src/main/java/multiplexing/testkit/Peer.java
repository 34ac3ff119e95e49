package multiplexing.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** A plain blocking test client that reads back exactly what it expects, or times out. */
public final class Peer implements AutoCloseable {
  static final int TIMEOUT_MILLIS = 5_000;
  public final Socket socket = new Socket();

  private Peer() {}

  public static Peer connect(int port) throws IOException {
    return connect(port, 0);
  }

  /** Connects with this receive buffer (0: the OS default): set before connect, it stays fixed. */
  public static Peer connect(int port, int receiveBuffer) throws IOException {
    Peer peer = new Peer();
    if (receiveBuffer > 0) {
      peer.socket.setReceiveBufferSize(receiveBuffer);
    }
    peer.socket.setSoTimeout(TIMEOUT_MILLIS);
    peer.socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
    return peer;
  }

  /** Bytes that never repeat within a message, so a lost or reordered chunk shows. */
  public static byte[] pattern(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  public void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
  }

  public void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads exactly {@code count} bytes, across as many reads as it takes. */
  public byte[] receive(int count) throws IOException {
    byte[] bytes = socket.getInputStream().readNBytes(count);
    if (bytes.length < count) {
      throw new IOException("end of stream after " + bytes.length + " of " + count + " bytes");
    }
    return bytes;
  }

  public String receiveText(int byteCount) throws IOException {
    return new String(receive(byteCount), StandardCharsets.UTF_8);
  }

  /** Sends the text and returns what came back, as many bytes as were sent. */
  public String echo(String text) throws IOException {
    send(text);
    return receiveText(text.getBytes(StandardCharsets.UTF_8).length);
  }

  /**
   * Every byte that came until {@code most} did, or an end of stream or reset, or nothing came for
   * {@code quietMillis}: the quiet period never cuts a stream that still flows.
   */
  public byte[] receiveUpTo(int most, int quietMillis) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    InputStream in = socket.getInputStream();
    socket.setSoTimeout(quietMillis);
    try {
      int count;
      while (received.size() < most
          && (count = in.read(chunk, 0, Math.min(chunk.length, most - received.size()))) != -1) {
        received.write(chunk, 0, count);
      }
    } catch (SocketTimeoutException | SocketException e) {
      // Quiet for the whole period, or reset: what came is all that will come.
    } finally {
      socket.setSoTimeout(TIMEOUT_MILLIS);
    }
    return received.toByteArray();
  }

  /** True once the server has closed its side: the next read finds the end of stream. */
  public boolean atEndOfStream() throws IOException {
    return socket.getInputStream().read() == -1;
  }

  public int available() throws IOException {
    return socket.getInputStream().available();
  }

  /** Closes with SO_LINGER 0, so the server gets a reset (RST) instead of an end of stream. */
  public void reset() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
