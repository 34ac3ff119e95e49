package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Step 5: what we hold for clients, how many they are and how long they sit silent are bounded, and
 * an echo the socket has room for leaves at once.
 */
class EchoServerTest extends EchoContract {
  @Override
  protected Class<?> serverClass() {
    return EchoServer.class;
  }

  @Override
  protected String[] defaultArguments() {
    return new String[] {"--trace"};
  }

  @Test
  void anEchoTheSocketHasRoomForLeavesInThePassThatReadItAndNothingIsQueued() throws IOException {
    // Steps 3 and 4 queue every read, turn OP_WRITE on, and write on the next pass.
    Peer peer = server.connect();
    assertThat(peer.echo("hello")).isEqualTo("hello");
    String name = Scenarios.name(peer);
    server.awaitLine(line -> line.startsWith(name));
    assertThat(server.lines(line -> line.startsWith(name)))
        .containsExactly(name + "read: read 5 B, wrote 5 B, queued 0 B, interest read");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "--idle-timeout=-5 | --idle-timeout=-5: must be a whole number from 0 to 86400 seconds;"
            + " 0 is off (usage: EchoServer",
        "--idle-timeout=99999999 | --idle-timeout=99999999: must be a whole number from 0 to"
            + " 86400 seconds; 0 is off (usage: EchoServer",
        "--high-water=99999999999 | --high-water=99999999999: must be a whole number from 1 to"
            + " 1073741824 bytes (usage: EchoServer",
        "--low-water=2000000 | --low-water=2000000: must be a whole number from 0 to 1048575"
            + " bytes, below the high water mark (1048576, the default) (usage: EchoServer",
        "--high-water=4096 --low-water=4096 | --low-water=4096: must be a whole number from 0 to"
            + " 4095 bytes, below the high water mark (4096) (usage: EchoServer",
        "--max-connections=0 | --max-connections=0: must be a whole number from 1 to 1048576"
            + " clients (usage: EchoServer",
        "--linger=soon | --linger=soon: must be a whole number from 0 to 3600 seconds; 0 closes"
            + " at once (usage: EchoServer",
        "-1 | the port must be from 0 to 65535, not '-1' (usage: EchoServer",
      })
  void aBadSettingGetsOneLineNamingTheValueTheRangeAndTheUnit(String args, String message) {
    Launched launched = launch(args.split(" "));
    assertThat(launched.server()).isNull();
    assertThat(launched.err().lines())
        .singleElement()
        .asString()
        .startsWith("EchoServer: " + message);
  }

  @Test
  void anInterruptStopsTheLoopAsCloseWould() throws Exception {
    Peer peer = server.connect();
    assertThat(peer.echo("hello")).isEqualTo("hello");
    server.interruptLoop();
    await().atMost(Duration.ofSeconds(5)).until(server::loopEnded);
    assertThat(peer.atEndOfStream()).isTrue();
    assertThat(server.log()).endsWith("stopped");
  }
}
