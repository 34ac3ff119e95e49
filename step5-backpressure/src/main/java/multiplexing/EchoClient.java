package multiplexing;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The interactive client of every step: type a line, see its echo (seed 9.2.2). */
public final class EchoClient {
  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 9999;
  static final String USAGE = "usage: EchoClient [host] [port], or EchoClient port";
  static final String PROMPT = ">>:";
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private EchoClient() {}

  /** Talks to the server until end of input; returns the process exit code. */
  static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    // A lone number is a port: `EchoClient 9999` must not mean the host 0.0.39.15.
    boolean portOnly = args.length == 1 && args[0].matches("[0-9]+");
    String host = args.length > 0 && !portOnly ? args[0] : DEFAULT_HOST;
    int port;
    try {
      port = portOnly ? Integer.parseInt(args[0]) : DEFAULT_PORT;
      port = args.length > 1 ? Integer.parseInt(args[1]) : port;
      if (args.length > 2 || port < 1 || port > 65535) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      err.println("EchoClient: expected a host and a port from 1 to 65535 (" + USAGE + ")");
      return 1;
    }
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
    BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
    OutputStream toServer = socket.getOutputStream();
    InputStream fromServer = socket.getInputStream();
    while (true) {
      out.print(PROMPT);
      out.flush();
      String line = lines.readLine();
      if (line == null) {
        // End of input (Ctrl-D): leave the prompt's line and hang up; try-with-resources closes.
        out.println();
        return 0;
      }
      if (line.isEmpty()) {
        // The seed would send zero bytes and then wait forever for a reply that never comes.
        continue;
      }
      byte[] message = line.getBytes(StandardCharsets.UTF_8);
      toServer.write(message);
      toServer.flush();
      // TCP is a stream, not messages: one read may return half the echo, so we read until
      // we have as many bytes as we sent (the seed's single recv(1024) hopes for the best).
      byte[] echo = fromServer.readNBytes(message.length);
      if (echo.length < message.length) {
        err.println("EchoClient: " + server + " closed the connection");
        return 1;
      }
      out.println(new String(echo, StandardCharsets.UTF_8));
    }
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
