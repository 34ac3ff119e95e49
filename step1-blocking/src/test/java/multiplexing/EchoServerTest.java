package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EchoServerTest {
  private ServerFixture fixture;
  private final List<Peer> peers = new ArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    fixture = ServerFixture.start();
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (Peer peer : peers) {
      peer.close();
    }
    fixture.close();
  }

  private Peer connect() throws IOException {
    Peer peer = fixture.connect();
    peers.add(peer);
    return peer;
  }

  @Test
  void aSecondClientGetsNoEchoWhileTheFirstStaysAndGetsItOnceTheFirstLeaves() throws IOException {
    Peer first = connect();
    assertThat(first.echo("I was here first")).isEqualTo("I was here first");
    // The kernel completes the second connection, but the server is busy reading the first.
    Peer second = connect();
    second.send("me too");
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> second.available() == 0);

    first.close();

    assertThat(second.receiveText("me too".length())).isEqualTo("me too");
  }

  @ParameterizedTest(name = "reset = {0}")
  @ValueSource(booleans = {false, true})
  void aClientThatLeavesByEndOfStreamOrResetLetsTheServerServeTheNext(boolean reset)
      throws IOException {
    Peer leaving = connect();
    assertThat(leaving.echo("bye")).isEqualTo("bye");
    if (reset) {
      leaving.reset();
    } else {
      leaving.close();
    }
    String expected = reset ? "reset by peer" : "closed by peer";
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> fixture.log().stream().anyMatch(line -> line.startsWith(expected)));
    assertThat(connect().echo("next")).isEqualTo("next");
  }

  @Test
  void aClientThatShutsDownItsSideIsHungUpOnOnceItsEchoIsBack() throws IOException {
    Peer peer = connect();
    peer.send("bye");
    peer.socket.shutdownOutput();
    assertThat(peer.receiveText(3)).isEqualTo("bye");
    assertThat(peer.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
  }

  @Test
  void everyByteValueZeroIncludedComesBackExactly() throws IOException {
    byte[] payload = new byte[256 * 8];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    Peer peer = connect();
    peer.send(payload);
    assertThat(peer.receive(payload.length)).isEqualTo(payload);
  }

  @Test
  void closingTheServerEndsTheLoopClosesEveryClientAndFreesThePort() throws Exception {
    Peer peer = connect();
    assertThat(peer.echo("hello")).isEqualTo("hello");
    int port = fixture.port();

    fixture.close();

    assertThat(fixture.loopEnded()).isTrue();
    assertThat(fixture.log()).endsWith("stopped").containsOnlyOnce("stopped");
    assertThat(peer.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress("127.0.0.1", port));
    }
  }
}
