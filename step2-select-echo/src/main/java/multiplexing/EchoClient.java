package multiplexing;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The interactive client of every step: type a line, see its echo (tutorial 9.2.2). */
public final class EchoClient {
  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 9999;
  static final String PROMPT = ">>:";
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final String USAGE =
      "usage: EchoClient [host] [port]: 127.0.0.1 and 9999 by default; a lone number is the port";

  private EchoClient() {}

  /** Talks to the server until end of input; returns the process exit code. */
  static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    String host = DEFAULT_HOST;
    String portText = String.valueOf(DEFAULT_PORT);
    if (args.length == 1 && args[0].matches("[0-9]+")) {
      // A lone number is a port: `EchoClient 9999` must not mean the host 0.0.39.15.
      portText = args[0];
    } else if (args.length > 0) {
      host = args[0];
      portText = args.length > 1 ? args[1] : portText;
    }
    if (args.length > 2
        || !portText.matches("[0-9]{1,5}")
        || Integer.parseInt(portText) < 1
        || Integer.parseInt(portText) > 65535) {
      // The server takes [port] [host] and the client [host] [port]: whoever types the server's
      // order here (`EchoClient 9999 127.0.0.1`) is told the client's, with an example.
      err.println(
          "EchoClient: expected [host] [port], for example: EchoClient 127.0.0.1 9999, with a port"
              + " from 1 to 65535; not '"
              + String.join(" ", args)
              + "'");
      return 1;
    }
    int port = Integer.parseInt(portText);
    String server = host + ":" + port;
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      err.println("EchoClient: unknown host '" + host + "'");
      return 1;
    }
    try (Socket socket = new Socket()) {
      try {
        socket.connect(address, CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        err.println("EchoClient: cannot connect to " + server + ": " + e.getMessage());
        return 1;
      }
      return talk(socket, stdin, out, err, server);
    } catch (IOException e) {
      err.println("EchoClient: lost the connection to " + server + ": " + e.getMessage());
      return 1;
    }
  }

  private static int talk(
      Socket socket, InputStream stdin, PrintStream out, PrintStream err, String server)
      throws IOException {
    OutputStream toServer = socket.getOutputStream();
    InputStream fromServer = socket.getInputStream();
    while (true) {
      out.print(PROMPT);
      out.flush();
      String line = readLine(stdin);
      if (line == null) {
        // End of input (Ctrl-D): leave the prompt's line and hang up; try-with-resources closes.
        out.println();
        return 0;
      }
      if (line.isEmpty()) {
        // The tutorial's client would send zero bytes, then wait forever for a reply.
        continue;
      }
      byte[] message = line.getBytes(StandardCharsets.UTF_8);
      toServer.write(message);
      toServer.flush();
      // TCP is a stream, not messages: one read may return half the echo, so we read until
      // we have as many bytes as we sent (the tutorial's single recv(1024) hopes for the best).
      byte[] echo = fromServer.readNBytes(message.length);
      if (echo.length < message.length) {
        err.println("EchoClient: " + server + " closed the connection");
        return 1;
      }
      out.println(new String(echo, StandardCharsets.UTF_8));
    }
  }

  // A line ends at \n only; one \r just before it is dropped (Windows ends lines with \r\n).
  // BufferedReader.readLine() would also end a line at a lone \r, and send one line as two.
  // Returns null at the end of input, once nothing is left to send.
  private static String readLine(InputStream stdin) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = stdin.read()) != -1 && b != '\n') {
      line.write(b);
    }
    if (b == -1 && line.size() == 0) {
      return null;
    }
    byte[] bytes = line.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  public static void main(String[] args) {
    // Echoes are UTF-8 bytes: print them as such, whatever the platform's default charset.
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    int status = run(args, System.in, out, System.err);
    out.flush();
    System.exit(status);
  }
}
