package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Lesson;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Weakness;
import org.junit.jupiter.api.Test;

/** Step 1: a blocking server echoes to one client at a time; a second client waits. */
class EchoServerTest extends EchoContract {

  @Test
  @Weakness
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
  @Lesson("a blocking server serves clients one after another, each from accepted to leaving")
  void fiftyClientsOneAfterAnotherAreEachServedWhileNoOtherIs() throws IOException {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      try (Peer peer = server.connect()) {
        assertThat(peer.echo("client " + i)).isEqualTo("client " + i);
        String name = Scenarios.address(peer);
        expected.addAll(List.of("accepted " + name, "closed by peer " + name));
      }
    }
    await().until(() -> server.count("closed by peer ") == 50);
    assertThat(
            server.lines(
                line -> line.startsWith("accepted ") || line.startsWith("closed by peer ")))
        .as("the server's log, in order")
        .containsExactlyElementsOf(expected);
  }

  @Test
  @Lesson("read until the end of stream, and write back every byte read before it")
  void aClientThatHalfClosesGetsItsEchoThenTheEndOfStream() throws IOException {
    // A client that shuts down its sending side (as `nc -N` does) still reads: read() returns
    // -1 only after the bytes before it, and we echo those before we close.
    Peer peer = server.connect();
    peer.send("bye");
    peer.socket.shutdownOutput();
    assertThat(peer.receiveText(3)).isEqualTo("bye");
    assertThat(peer.atEndOfStream()).isTrue();
  }

  @Test
  @Lesson("step 1 has no loop to trace: --trace is refused with a word on where it belongs")
  void traceIsRefusedWithTheStepsThatHaveIt() {
    Launched launched = launch("--trace", "0");
    assertThat(launched.server()).isNull();
    assertThat(launched.err())
        .isEqualTo(lines("EchoServer: --trace belongs to steps 2 and later (--help for usage)"));
  }
}
