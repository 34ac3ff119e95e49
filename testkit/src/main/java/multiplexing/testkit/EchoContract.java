package multiplexing.testkit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The echo contract every step keeps, from step 1 to the last: each step's {@code EchoServerTest}
 * extends it and adds what that step changes. Nothing here needs two clients served at once (step 1
 * cannot) or {@code --trace} (step 1 has none).
 */
public abstract class EchoContract {
  /** How long a test waits to be sure something does not happen. */
  protected static final Duration A_WHILE = Duration.ofMillis(500);

  private final Class<?> serverClass = serverBeside(getClass());
  protected ServerFixture server;

  /**
   * The {@code EchoServer} beside the test, from its loader: the step's, or a student's version.
   */
  static Class<?> serverBeside(Class<?> test) {
    try {
      return Class.forName(test.getPackageName() + ".EchoServer", true, test.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("no EchoServer beside " + test.getName(), e);
    }
  }

  protected Class<?> serverClass() {
    return serverClass;
  }

  @BeforeEach
  void startServer() throws IOException {
    server = ServerFixture.start(serverClass);
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  /** Replaces the default server with one started with these arguments. */
  protected void restartWith(String... args) throws Exception {
    server.close();
    server = ServerFixture.start(serverClass, args);
  }

  @Test
  @Contract
  void everyByteValueZeroIncludedComesBackExactly() throws IOException {
    Scenarios.Transfer transfer = Scenarios.everyByteValue(server);
    assertThat(transfer.intact()).as("every byte value back, in order: %s", transfer).isTrue();
  }

  @Contract
  @ParameterizedTest(name = "reset = {0}")
  @ValueSource(booleans = {false, true})
  void aClientThatLeavesByEndOfStreamOrResetIsLoggedAndTheNextOneIsServed(boolean reset)
      throws IOException {
    Peer leaving = server.connect();
    assertThat(leaving.echo("bye")).isEqualTo("bye");
    if (reset) {
      leaving.reset();
    } else {
      leaving.close();
    }
    server.awaitLineStartingWith(reset ? "reset by peer" : "closed by peer");
    assertThat(server.connect().echo("next")).isEqualTo("next");
  }

  @Test
  @Contract
  void closingTheServerEndsTheLoopClosesEveryClientAndFreesThePort() throws Exception {
    try (Peer peer = Peer.connect(server.port())) {
      assertThat(peer.echo("hello")).isEqualTo("hello");

      server.close();

      assertThat(server.loopEnded()).isTrue();
      assertThat(server.log()).endsWith("stopped").containsOnlyOnce("stopped");
      assertThat(peer.atEndOfStream()).isTrue();
    }
    bindAgain(server.port());
  }

  @Test
  @Contract
  void closeWithoutRunFreesThePortAtOnceAndALaterRunReturnsAtOnce() throws Exception {
    Launched launched = launch("0");
    assertThat(launched.server()).as("the server started").isNotNull();
    int port = (Integer) Launcher.call(launched.server(), "port");
    callWithinFiveSeconds(launched.server(), "close");
    // Before any run(): nobody can connect, and the port is free again.
    assertThatThrownBy(() -> Peer.connect(port).close())
        .as("a connect to the closed server's port")
        .isInstanceOf(ConnectException.class);
    bindAgain(port);
    callWithinFiveSeconds(launched.server(), "run");
    callWithinFiveSeconds(launched.server(), "close");
    assertThat(launched.out().toString(StandardCharsets.UTF_8))
        .as("what the server printed")
        .isEqualTo(lines("listening on 127.0.0.1:" + port, "stopped"));
  }

  @Contract
  @ParameterizedTest
  @ValueSource(strings = {"abc", "-1", "65536", "99999999999", "--nonsense", "1 localhost extra"})
  void aBadArgumentGetsOneLineOnStandardErrorAndNoServer(String args) {
    Launched launched = launch(args.split(" "));
    assertThat(launched.server()).as("the server launched with '%s'", args).isNull();
    assertThat(launched.err().lines())
        .as("what it printed on standard error")
        .singleElement()
        .asString()
        .startsWith("EchoServer: ")
        .endsWith(" (--help for usage)")
        .hasSizeLessThanOrEqualTo(120);
  }

  @Contract
  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h"})
  void helpPrintsTheUsageOnStandardOutputAndStartsNoServer(String help) throws Exception {
    PrintStream before = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      serverClass().getMethod("main", String[].class).invoke(null, (Object) new String[] {help});
    } finally {
      System.setOut(before);
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("what main(%s) printed", help)
        .startsWith("usage: EchoServer");
  }

  @Test
  @Contract
  void aPortInUseGetsOneLineOnStandardErrorAndNoServer() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      Launched launched = launch(String.valueOf(taken.getLocalPort()));
      assertThat(launched.server()).isNull();
      assertThat(launched.err().lines())
          .singleElement()
          .asString()
          .startsWith("EchoServer: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ");
    }
  }

  /** What launch() returned, and what it (and the server since) printed. */
  protected record Launched(Object server, ByteArrayOutputStream out, String err) {}

  /** Calls the step's launch(args, out, err), as its main method does. */
  protected Launched launch(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Object server = Launcher.launch(serverClass, args, out, err);
    return new Launched(server, out, err.toString(StandardCharsets.UTF_8));
  }

  private static void callWithinFiveSeconds(Object server, String method) throws Exception {
    CompletableFuture.runAsync(() -> Launcher.call(server, method)).get(5, SECONDS);
  }

  private static void bindAgain(int port) throws IOException {
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress("127.0.0.1", port));
    }
  }

  protected static String lines(String... lines) {
    return String.join(System.lineSeparator(), lines) + System.lineSeparator();
  }
}
