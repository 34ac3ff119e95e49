package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EchoServerCommandLineTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private EchoServer launch(String... args) {
    return EchoServer.launch(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String errorText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "-1",
        "65536",
        "--nonsense",
        "--max-connections=lots",
        "--max-connections=0",
        "--idle-timeout=-5",
        "--high-water=100"
      })
  void aBadArgumentGetsOneLineOnStandardErrorAndNoServer(String arg) {
    assertThat(launch(arg)).isNull();
    assertThat(errorText().lines())
        .singleElement()
        .asString()
        .startsWith("EchoServer: ")
        .contains("usage:");
  }

  @Test
  void theLimitsComeFromTheirOptions() {
    EchoServer.Options options =
        EchoServer.Options.parse(
            "--high-water=4096",
            "--low-water=1024",
            "--max-connections=3",
            "--idle-timeout=30",
            "7000",
            "localhost");
    assertThat(options.limits())
        .isEqualTo(new EchoServer.Limits(4096, 1024, 3, Duration.ofSeconds(30)));
    assertThat(options.port()).isEqualTo(7000);
    assertThat(options.host()).isEqualTo("localhost");
  }

  @Test
  void aPortInUseGetsOneLineOnStandardErrorAndNoServer() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      assertThat(launch(String.valueOf(taken.getLocalPort()))).isNull();
      assertThat(errorText().lines())
          .singleElement()
          .asString()
          .startsWith("EchoServer: cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void portZeroListensOnAFreePortAndSaysWhichOne() throws Exception {
    EchoServer server = launch("0");
    assertThat(server).isNotNull();
    server.close();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "listening on 127.0.0.1:"
                + server.port()
                + System.lineSeparator()
                + "stopped"
                + System.lineSeparator());
  }

  @Test
  void traceShowsTheRegisteredKeysAndOnlyTheKeysReadyInThatPass() throws Exception {
    // Forget ready.remove() and the listener, ready once when this client connected, stays in
    // the selected-key set and in every later pass's ready list.
    try (ServerFixture fixture = ServerFixture.startTracing();
        Peer peer = fixture.connect()) {
      assertThat(peer.echo("hi")).isEqualTo("hi");
      String client = EchoServer.describe(peer.socket.getLocalSocketAddress());
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  fixture.log().stream()
                      .anyMatch(
                          line ->
                              line.startsWith("select: registered [")
                                  && line.contains("listener accept")
                                  && line.endsWith("ready [" + client + " read]")));
    }
  }
}
