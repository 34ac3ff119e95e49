package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against stand-in servers that misbehave on purpose. Every step has the same client
 * ({@link EchoClientCopiesTest}), so its tests run once, here, on step 1's copy, compiled from its
 * source.
 */
class EchoClientTest {
  private static Method run;
  private ServerSocket server;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void compileTheClient(@TempDir Path classes) throws Exception {
    Path source = EchoClientCopiesTest.stepOne().resolve(EchoClientCopiesTest.CLIENT);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, "-d", classes.toString(), source.toString());
    assertThat(status).as("javac %s", source).isZero();
    URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()});
    run =
        loader
            .loadClass("multiplexing.EchoClient")
            .getDeclaredMethod(
                "run", String[].class, InputStream.class, PrintStream.class, PrintStream.class);
    run.setAccessible(true);
  }

  @BeforeEach
  void listen() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private int runClient(String stdin) {
    return runClient(stdin, "127.0.0.1", String.valueOf(server.getLocalPort()));
  }

  private int runClient(String stdin, String... args) {
    try {
      return (Integer)
          run.invoke(
              null,
              args,
              new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private String errorLine() {
    assertThat(err.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
    return err.toString(StandardCharsets.UTF_8).strip();
  }

  /** A stand-in server for one connection: echoes one byte at a time, then returns all it got. */
  private CompletableFuture<byte[]> echoByteByByte() {
    return CompletableFuture.supplyAsync(
        () -> {
          ByteArrayOutputStream received = new ByteArrayOutputStream();
          try (Socket client = server.accept()) {
            InputStream in = client.getInputStream();
            OutputStream echo = client.getOutputStream();
            int b;
            while ((b = in.read()) != -1) {
              received.write(b);
              echo.write(b);
              echo.flush();
            }
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
          return received.toByteArray();
        });
  }

  private String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String lines(String... lines) {
    return String.join(System.lineSeparator(), lines) + System.lineSeparator();
  }

  @Test
  void printsThePromptAndEachEchoReassembledFromPartialReadsThenExitsZeroAtEndOfInput()
      throws Exception {
    CompletableFuture<byte[]> received = echoByteByByte();
    assertThat(runClient("jerome\nhello\n你好\n")).isZero();
    assertThat(output()).isEqualTo(lines(">>:jerome", ">>:hello", ">>:你好", ">>:"));
    assertThat(err.size()).isZero();
    assertThat(new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8))
        .isEqualTo("jerome" + "hello" + "你好");
  }

  @Test
  void neverSendsAnEmptyMessage() throws Exception {
    CompletableFuture<byte[]> received = echoByteByByte();
    assertThat(runClient("\n\nx\n")).isZero();
    assertThat(output()).isEqualTo(lines(">>:>>:>>:x", ">>:"));
    assertThat(received.get(5, TimeUnit.SECONDS)).containsExactly('x');
  }

  @Test
  void aServerThatIsDownGetsOneLineAndExitCodeOne() throws IOException {
    server.close();
    assertThat(runClient("hello\n")).isEqualTo(1);
    assertThat(errorLine()).startsWith("EchoClient: cannot connect to 127.0.0.1:");
  }

  @Test
  void aServerThatGoesAwayMidSessionGetsOneLineAndExitCodeOne() {
    CompletableFuture<Void> hangUpAfterOneByte =
        CompletableFuture.runAsync(
            () -> {
              try (Socket client = server.accept()) {
                client.getInputStream().read();
                client.getOutputStream().write('h');
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    assertThat(runClient("hello\nagain\n")).isEqualTo(1);
    hangUpAfterOneByte.join();
    assertThat(output()).isEqualTo(">>:");
    assertThat(errorLine()).startsWith("EchoClient: ");
  }

  @Test
  void aLoneNumberIsThePortOnLoopback() throws Exception {
    CompletableFuture<byte[]> received = echoByteByByte();
    int status = runClient("hi\n", String.valueOf(server.getLocalPort()));
    assertThat(status).isZero();
    assertThat(received.get(5, TimeUnit.SECONDS)).containsExactly('h', 'i');
  }

  @Test
  void anUnknownHostGetsOneLineAndExitCodeOne() {
    int status = runClient("", "no-such-host.invalid", "9999");
    assertThat(status).isEqualTo(1);
    assertThat(errorLine()).isEqualTo("EchoClient: unknown host 'no-such-host.invalid'");
  }

  @Test
  void aBadPortGetsOneLineAndExitCodeOne() {
    int status = runClient("", "127.0.0.1", "port");
    assertThat(status).isEqualTo(1);
    assertThat(errorLine())
        .startsWith("EchoClient: expected [host] [port]")
        .endsWith("'127.0.0.1 port'");
  }

  @Test
  void thePortBeforeTheHostAsTheServerTakesThemGetsTheOrderWithAnExample() {
    int status = runClient("", "9999", "127.0.0.1");
    assertThat(status).isEqualTo(1);
    assertThat(errorLine())
        .startsWith("EchoClient: expected [host] [port], for example: EchoClient 127.0.0.1 9999");
  }

  @Test
  void aLineEndsAtNewlineOnlyAndOneCarriageReturnBeforeItIsDropped() throws Exception {
    // "one\r\n" is one line, "two\rthree" too: a lone \r ends no line.
    CompletableFuture<byte[]> received = echoByteByByte();
    assertThat(runClient("one\r\ntwo\rthree\n")).isZero();
    assertThat(output()).isEqualTo(lines(">>:one", ">>:two\rthree", ">>:"));
    assertThat(new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8))
        .isEqualTo("one" + "two\rthree");
  }

  @Test
  void helpOrHPrintsTheUsageOnStandardOutputAndExitsZero() {
    for (String help : List.of("--help", "-h")) {
      out.reset();
      assertThat(runClient("", help)).as("EchoClient %s", help).isZero();
      assertThat(output()).as("EchoClient %s", help).startsWith("usage: EchoClient [host] [port]");
    }
    assertThat(err.size()).isZero();
  }
}
