package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import multiplexing.testkit.ChildServer;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Lesson;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Scenarios.Transfer;
import multiplexing.testkit.Weakness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Step 2: one Selector serves many clients at once; it still loses bytes and dies on accept. */
class EchoServerTest extends EchoContract {

  @Test
  @Lesson("one selector watches every socket, so no client waits for another to leave")
  void fiftyClientsConnectedAtOnceAllGetTheirEchoesInterleaved() throws IOException {
    // Step 1's weakness, gone: nobody waits for anybody else to leave.
    assertThat(Scenarios.fiftyClientsAtOnce(server))
        .as("every echo of fifty clients that all sent before any read")
        .isEqualTo(Scenarios.fiftyClientsExpected());
  }

  @Test
  @Lesson("--trace prints a line per pass, then a line per ready key; remove each key you handle")
  void theTraceShowsEachPassTheClientsInTheOrderTheyCameAndWhatEachKeyDid() throws Exception {
    restartWith("--trace");
    // One event at a time, so that each pass finds exactly one key ready.
    Peer first = server.connect();
    assertThat(first.echo("jerome")).isEqualTo("jerome");
    Peer second = server.connect();
    assertThat(second.echo("hello")).isEqualTo("hello");
    String a = Scenarios.address(first);
    String b = Scenarios.address(second);
    server.awaitLine(line -> line.equals("  " + b + " read: read 5 B, wrote 5 B"));
    assertThat(server.log())
        .as("the trace")
        .contains("pass 1: 1 ready of 1 registered [listener]")
        .contains("  " + a + " read: read 6 B, wrote 6 B")
        .anyMatch(
            line -> line.endsWith(": 1 ready of 3 registered [listener, " + a + ", " + b + "]"))
        // Forget ready.remove() and the selected-key set keeps every key ever ready.
        .filteredOn(line -> line.startsWith("pass "))
        .allMatch(line -> line.contains(": 1 ready of "));
  }

  @Test
  @Lesson("select() with no timeout sleeps until a key is ready: the loop has no timer to tick")
  void anIdleServerPrintsNoPassAtAll() throws Exception {
    // No timeout and nothing ready: select() sleeps. The tutorial's 0.5 s timeout would tick.
    restartWith("--trace");
    assertThat(server.connect().echo("ping")).isEqualTo("ping");
    server.awaitNoPassFor(A_WHILE);
  }

  @Test
  @Lesson("an interrupt makes every select() return at once: take it as a request to stop")
  void anInterruptStopsTheLoopAsCloseWould() throws IOException {
    // Left alone, an interrupt would make every select() return at once: a loop at 100% CPU.
    Peer peer = server.connect();
    assertThat(peer.echo("hello")).isEqualTo("hello");
    server.interruptLoop();
    await()
        .atMost(Duration.ofSeconds(5))
        .alias("the loop ends after an interrupt")
        .until(server::loopEnded);
    assertThat(peer.atEndOfStream()).as("the client sees the end of stream").isTrue();
    assertThat(server.log()).endsWith("stopped");
  }

  @Test
  @Weakness
  void aClientThatReadsSlowlyLosesBytesTheSocketHadNoRoomFor() throws Exception {
    // The weakness this step keeps: write() took less than we read, and the rest is gone.
    restartWith("--trace");
    Transfer transfer = Scenarios.readsOnlyAfterSending(server, Scenarios.MOST_BYTES);
    assertThat(server.log()).anyMatch(line -> line.contains(", lost "));
    assertThat(transfer.received().length).isLessThan(transfer.sent().length);
  }

  @Test
  @Weakness
  void aFailedAcceptEndsTheServer() throws Exception {
    // The other weakness this step keeps. `ulimit -n` sets both limits, so the JVM cannot
    // raise it again; past it, accept() fails with "Too many open files".
    Assumptions.assumeTrue(ChildServer.bashAvailable(), "needs bash");
    try (ChildServer child =
        new ChildServer(serverClass(), "ulimit -n 96", List.of("-Xmx64m", "-XX:+UseSerialGC"))) {
      List<Peer> peers = new ArrayList<>();
      try {
        for (int i = 0; i < 150 && child.process().isAlive(); i++) {
          try {
            peers.add(Peer.connect(child.port()));
          } catch (IOException refused) {
            break;
          }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !child.process().isAlive());
        assertThat(child.log()).anyMatch(line -> line.startsWith("stopped by "));
      } finally {
        for (Peer peer : peers) {
          peer.close();
        }
      }
    }
  }
}
