package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Peer;
import org.junit.jupiter.api.Test;

/** Step 1: a blocking server echoes to one client at a time; a second client waits. */
class EchoServerTest extends EchoContract {
  EchoServerTest() {
    super(EchoServer.class);
  }

  @Test
  void aSecondClientGetsNoEchoWhileTheFirstStaysAndGetsItOnceTheFirstLeaves() throws IOException {
    // The weakness this step keeps: the server reads the first client until it leaves.
    Peer first = server.connect();
    assertThat(first.echo("I was here first")).isEqualTo("I was here first");
    // The kernel completes the second client's handshake, so it connects and sends; no echo.
    Peer second = server.connect();
    second.send("me too");
    await().during(A_WHILE).atMost(A_WHILE.multipliedBy(3)).until(() -> second.available() == 0);
    assertThat(first.echo("still here")).isEqualTo("still here");

    first.close();

    assertThat(second.receiveText("me too".length())).isEqualTo("me too");
  }

  @Test
  void fiftyClientsOneAfterAnotherAreEachServedWhileNoOtherIs() throws IOException {
    // What step 1 can do with fifty clients: serve them in turn, each from accept to leaving.
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      try (Peer peer = server.connect()) {
        assertThat(peer.echo("client " + i)).isEqualTo("client " + i);
        String name = "127.0.0.1:" + peer.socket.getLocalPort();
        expected.addAll(List.of("accepted " + name, "closed by peer " + name));
      }
    }
    await().until(() -> server.count("closed by peer ") == 50);
    assertThat(
            server.lines(
                line -> line.startsWith("accepted ") || line.startsWith("closed by peer ")))
        .containsExactlyElementsOf(expected);
  }

  @Test
  void aClientThatHalfClosesGetsItsEchoThenTheEndOfStream() throws IOException {
    // A client that shuts down its sending side (as `nc -N` does) still reads: read() returns
    // -1 only after the bytes before it, and we echo those before we close.
    Peer peer = server.connect();
    peer.send("bye");
    peer.socket.shutdownOutput();
    assertThat(peer.receiveText(3)).isEqualTo("bye");
    assertThat(peer.atEndOfStream()).isTrue();
  }
}
