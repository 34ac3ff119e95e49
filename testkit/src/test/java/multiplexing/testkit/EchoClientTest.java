package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client against stand-in servers that misbehave on purpose. Every step keeps a copy of step
 * 1's client, byte for byte, so its tests run once, here, on step 1's copy, compiled from source.
 */
class EchoClientTest {
  // Maven runs these tests in the testkit's folder, a sibling of the steps.
  private static final Path STEPS = Path.of("").toAbsolutePath().getParent();
  private static final Path CLIENT = Path.of("src/main/java/multiplexing/EchoClient.java");
  private static Method run;
  private final ServerSocket server;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  EchoClientTest() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  @BeforeAll
  static void compileTheClient(@TempDir Path classes) throws Exception {
    Path source = STEPS.resolve("step1-blocking").resolve(CLIENT);
    int status =
        ToolProvider.getSystemJavaCompiler()
            .run(null, null, null, "-d", classes.toString(), source.toString());
    assertThat(status).as("javac %s", source).isZero();
    run =
        new URLClassLoader(new URL[] {classes.toUri().toURL()})
            .loadClass("multiplexing.EchoClient")
            .getDeclaredMethod(
                "run", String[].class, InputStream.class, PrintStream.class, PrintStream.class);
    run.setAccessible(true);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private int runClient(String stdin, String... args) throws Exception {
    return (Integer)
        run.invoke(
            null,
            args,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /**
   * Runs the client on {@code stdin} against a stand-in server that echoes one byte at a time,
   * checks that it printed {@code lines} and exited zero, and returns what the server received. It
   * gives a lone number, the port on loopback; the hang-up test gives the host and the port.
   */
  private String session(String stdin, List<String> lines) throws Exception {
    CompletableFuture<String> received = standIn(Long.MAX_VALUE);
    assertThat(runClient(stdin, String.valueOf(server.getLocalPort()))).isZero();
    assertThat(output())
        .isEqualTo(String.join(System.lineSeparator(), lines) + System.lineSeparator());
    assertThat(err.size()).isZero();
    return received.get(5, TimeUnit.SECONDS);
  }

  /** Serves one client, echoing one byte at a time, and hangs up after {@code most}: what came. */
  private CompletableFuture<String> standIn(long most) {
    return CompletableFuture.supplyAsync(
        () -> {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          try (Socket client = server.accept()) {
            for (int b; bytes.size() < most && (b = client.getInputStream().read()) != -1; ) {
              bytes.write(b);
              client.getOutputStream().write(b);
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return bytes.toString(StandardCharsets.UTF_8);
        });
  }

  private String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsThePromptAndEachEchoReassembledFromPartialReadsThenExitsZeroAtEndOfInput()
      throws Exception {
    assertThat(session("jerome\nhello\n你好\n", List.of(">>:jerome", ">>:hello", ">>:你好", ">>:")))
        .isEqualTo("jerome" + "hello" + "你好");
  }

  @Test
  void neverSendsAnEmptyMessage() throws Exception {
    assertThat(session("\n\nx\n", List.of(">>:>>:>>:x", ">>:"))).isEqualTo("x");
  }

  @Test
  void aLineEndsAtNewlineOnlyAndOneCarriageReturnBeforeItIsDropped() throws Exception {
    // "one\r\n" is one line, "two\rthree" too: a lone \r ends no line.
    assertThat(session("one\r\ntwo\rthree\n", List.of(">>:one", ">>:two\rthree", ">>:")))
        .isEqualTo("one" + "two\rthree");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // A server that is down: the stand-in's port, once closed.
        "127.0.0.1 PORT | EchoClient: cannot connect to 127.0.0.1:PORT: ",
        "no-such-host.invalid 9999 | EchoClient: unknown host 'no-such-host.invalid'",
        // The server's order, [port] [host]: the message gives the client's, with an example.
        "9999 127.0.0.1 | EchoClient: expected [host] [port], for example: EchoClient 127.0.0.1"
            + " 9999, with a port from 1 to 65535; not '9999 127.0.0.1'",
      })
  void aBadArgumentOrAServerThatIsDownGetsOneLineAndExitCodeOne(String args, String line)
      throws Exception {
    server.close();
    String port = String.valueOf(server.getLocalPort());
    assertThat(runClient("hello\n", args.replace("PORT", port).split(" "))).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith(line.replace("PORT", port))
        .hasLineCount(1);
  }

  @Test
  void aServerThatGoesAwayMidSessionGetsOneLineAndExitCodeOne() throws Exception {
    CompletableFuture<String> hangUpAfterOneByte = standIn(1);
    assertThat(runClient("hello\nagain\n", "127.0.0.1", "" + server.getLocalPort())).isEqualTo(1);
    assertThat(hangUpAfterOneByte.get(5, TimeUnit.SECONDS)).isEqualTo("h");
    assertThat(output()).isEqualTo(">>:");
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("EchoClient: ").hasLineCount(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h"})
  void helpOrHPrintsTheUsageOnStandardOutputAndExitsZero(String help) throws Exception {
    assertThat(runClient("", help)).isZero();
    assertThat(output()).startsWith("usage: EchoClient [host] [port]");
    assertThat(err.size()).isZero();
  }

  @Test
  void everyStepsEchoClientIsTheSameFileAsStepOnes() throws IOException {
    String original = Files.readString(STEPS.resolve("step1-blocking").resolve(CLIENT));
    try (Stream<Path> steps = Files.list(STEPS)) {
      assertThat(steps.filter(dir -> dir.getFileName().toString().matches("step[0-9]+-.+")))
          .as("the step modules beside the testkit")
          .hasSizeGreaterThan(1)
          .allSatisfy(
              step ->
                  assertThat(Files.readString(step.resolve(CLIENT)))
                      .as("%s is a copy of step 1's", step.resolve(CLIENT))
                      .isEqualTo(original));
    }
  }
}
