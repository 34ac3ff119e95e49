package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import multiplexing.testkit.Contract;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Lesson;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Weakness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Step 6: how long a client may sit silent is bounded, and closing it loses none of its bytes. */
class EchoServerTest extends EchoContract {
  private static final int MOST_BYTES = 64 * 1024 * 1024;
  // What a greedy client makes us hold: more than the kernel's buffers on either side take.
  private static final int HELD = 8 * 1024 * 1024;

  @Test
  @Lesson(
      "walk the clients on a timer; one silent for --idle-timeout is closed, and its place freed")
  void aSilentClientIsClosedAfterTheIdleTimeoutAndItsPlaceGoesToANewcomer() throws Exception {
    // Step 5's weakness, gone: a silent client no longer holds its place for ever.
    restartWith("--max-connections=1", "--idle-timeout=1", "--linger=0");
    Scenarios.silentClientIsDroppedAndANewcomerTakesItsPlace(server);
  }

  @Test
  @Lesson("close an idle client with shutdownOutput(), so it gets an end of stream, not a reset")
  void anIdleClientGetsAnEndOfStreamNotAResetWhileABusyOneStays() throws Exception {
    restartWith("--idle-timeout=2");
    Peer idle = server.connect();
    Peer busy = server.connect();
    // The busy client echoes every 100 ms: it never goes two seconds without a byte moving,
    // even on a loaded machine, while the idle one is judged within three (a walk every second).
    await()
        .during(Duration.ofMillis(3_500))
        .atMost(Duration.ofSeconds(7))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> busy.echo("tick").equals("tick"));
    // An end of stream (read() returns -1), where a reset would throw.
    assertThat(idle.atEndOfStream()).as("the idle client reads an end of stream").isTrue();
    assertThat(server.log())
        .as("the server's log")
        .contains("closing idle " + Scenarios.address(idle) + " (lingering up to 30 s)")
        .noneMatch(line -> line.contains("idle " + Scenarios.address(busy)));
    idle.close();
    server.awaitLine(line -> line.equals("closed by peer " + Scenarios.address(idle)));
  }

  @Test
  @Lesson(
      "after shutdownOutput() keep reading and throw the bytes away, then close: a lingering close")
  void aClientStillReadingALargeEchoWhenItLooksIdleGetsEveryByteThenAnEndOfStream()
      throws Exception {
    // Once the kernel holds the whole echo, nothing moves from the server's side while
    // the client reads it, so the client looks idle. A plain close() would answer the byte it
    // sends next with a reset, and the reset throws away what the kernel had yet to deliver.
    restartWith("--trace", "--idle-timeout=1");
    Peer reader = server.connect();
    Predicate<String> idle = line -> line.contains("idle " + Scenarios.address(reader));
    byte[] sent = Peer.pattern(2 * 1024 * 1024);
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> send(reader, sent));
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    AtomicBoolean sentAByte = new AtomicBoolean();
    // 32 KiB every 200 ms until the server has judged it idle; then one byte, and the rest of the
    // echo as fast as it comes (a reset would come at once), up to the end of stream.
    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (server.logged(idle) && !sentAByte.getAndSet(true)) {
                reader.send(new byte[] {42});
              }
              int most = sentAByte.get() ? sent.length + 1 - received.size() : 32 * 1024;
              byte[] chunk = reader.socket.getInputStream().readNBytes(most);
              received.write(chunk);
              return chunk.length < most || received.size() > sent.length;
            });
    // Where the kernel holds less than a second of reading, the client looks idle only once it
    // has read everything: then the byte goes after the end of stream, and shows nothing.
    if (!sentAByte.getAndSet(true)) {
      reader.send(new byte[] {42});
    }
    sending.get(5, TimeUnit.SECONDS);
    assertThat(received.toByteArray()).as("every byte of its echo").isEqualTo(sent);
    assertThat(reader.atEndOfStream()).as("then an end of stream").isTrue();
    server.awaitLine(
        line -> line.startsWith(Scenarios.name(reader) + "read: discarded 1 B (lingering)"));
    reader.close();
    server.awaitLine(line -> line.equals("closed by peer " + Scenarios.address(reader)));
    assertThat(server.log())
        .noneMatch(line -> line.equals("reset by peer " + Scenarios.address(reader)));
  }

  @Test
  @Lesson("an idle client we still hold bytes for is closed with a reset: SO_LINGER 0")
  void aClientThatTakesNothingForTheIdleTimeoutIsResetAndTheLogSaysWhatItNeverTook()
      throws Exception {
    // We hold bytes it never took: an end of stream would pass for a complete echo, a reset not.
    // Its high water mark is far above what it sends, so we read everything: then only SO_LINGER
    // 0 makes our close a reset (unread bytes would make one anyway).
    restartWith("--trace", "--idle-timeout=1", "--high-water=" + 64 * 1024 * 1024);
    Peer greedy = server.connect(4096);
    String name = Scenarios.name(greedy);
    // It sends until we hold 8 MiB for it: more than the kernel's buffers ever take, so bytes stay
    // with us however large they grow. It stops sending first, so that its reader alone meets the
    // reset: Linux reports it once.
    byte[] chunk = new byte[64 * 1024];
    for (int sent = 0; sent < MOST_BYTES && Scenarios.mostQueued(server, name) < HELD; ) {
      greedy.send(chunk);
      sent += chunk.length;
    }
    String line = server.awaitLineStartingWith("dropped idle (");
    assertThat(line)
        .matches("dropped idle \\([1-9][0-9]* B it never took\\) " + Scenarios.address(greedy));
    // It reads what the kernel still held for it, then meets the reset, not an end of stream.
    assertThatThrownBy(() -> readUntilEndOfStream(greedy))
        .as("reading after the server closed it")
        .isInstanceOf(SocketException.class);
  }

  @Test
  @Lesson("drop a lingering client once --linger seconds are over; what it sends is no progress")
  void aLingeringClientThatNeverClosesIsDroppedAfterTheGracePeriod() throws Exception {
    restartWith("--trace", "--idle-timeout=1", "--linger=1");
    Peer idle = server.connect();
    assertThat(idle.atEndOfStream()).as("an end of stream for the idle client").isTrue();
    // What it sends now is read and thrown away: no echo, and no reset when we close.
    idle.send("anyone there?");
    server.awaitLine(
        line -> line.startsWith(Scenarios.name(idle) + "read: discarded 13 B (lingering)"));
    // It goes on sending, a byte every 100 ms: were a discard to count as progress, the grace
    // period would start again each time and never end.
    String dropped = "dropped idle " + Scenarios.address(idle);
    await("'" + dropped + "' once --linger is over, though it still sends")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              boolean gone = server.logged(dropped::equals);
              try {
                if (!gone) {
                  idle.send("?");
                }
              } catch (IOException e) {
                // Closed between our look at the log and this send: the next look decides.
              }
              return gone;
            });
    // The read of the 13 bytes, and at least two sends inside the grace period: fewer, and this
    // test would prove nothing.
    assertThat(server.count(Scenarios.name(idle) + "read: discarded "))
        .as("reads thrown away while it lingered")
        .isGreaterThan(2);
  }

  @Test
  @Lesson("select() waits until the next timer is due; the idle walk runs twice per timeout")
  void anIdleServerWakesOnlyForItsTimerTwicePerIdleTimeout() throws Exception {
    restartWith("--trace", "--idle-timeout=1");
    // A walk every half second: about four passes in two seconds, counted from the first one.
    server.awaitLineStartingWith("pass ");
    long first = server.count("pass ");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> server.count("pass ") - first <= 5);
    assertThat(server.count("pass ") - first)
        .as("passes in the two seconds after the first")
        .isBetween(2L, 5L);
    assertThat(server.lines(line -> line.startsWith("pass ")))
        .as("the passes of a server with no client")
        .isNotEmpty()
        .allMatch(line -> line.endsWith(": nothing ready (a timer is due)"));
  }

  @Lesson("each option takes a whole number in its range, or says so in one line")
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--idle-timeout=-5 | --idle-timeout=-5: must be from 0 to 86400 seconds; 0 is off",
        "--idle-timeout=99999999 | --idle-timeout=99999999: must be from 0 to 86400 seconds; 0 is"
            + " off",
        "--linger=soon | --linger=soon: must be from 0 to 3600 seconds; 0 closes at once",
      })
  void aBadTimerGetsOneLineNamingTheValueTheRangeAndTheUnit(String args, String message) {
    Launched launched = launch(args.split(" "));
    assertThat(launched.server()).as("the server launched with %s", args).isNull();
    assertThat(launched.err())
        .as("what it printed on standard error")
        .isEqualTo(lines("EchoServer: " + message + " (--help for usage)"));
  }

  @Test
  @Contract
  void aClientThatNeverReadsIsStillPausedAndGetsEveryByteOnceItReads() throws Exception {
    // Step 5's water marks, with the idle walk running: its timeout (five minutes by default)
    // is far longer than this test, so only the marks decide when we pause and resume.
    int highWater = 64 * 1024;
    restartWith("--trace", "--high-water=" + highWater);
    Scenarios.pausedAtTheHighWaterMarkGetsEveryByteOnceItReads(server, highWater);
  }

  @Test
  @Weakness
  void anEchoTheSocketHasRoomForStillWaitsAPassAndTakesTwoInterestChanges() throws Exception {
    // A weakness this step keeps from the tutorial: we queue, ask for OP_WRITE, write on the next
    // pass, and turn OP_WRITE off again. Step 7 writes at once.
    restartWith("--trace");
    assertThat(Scenarios.traceOfOneEcho(server, "hello"))
        .extracting(line -> line.substring(line.indexOf(" ", 2) + 1))
        .containsExactly(
            "read: read 5 B, queued 5 B, interest read -> read+write",
            "write: wrote 5 B, queued 0 B, interest read+write -> read");
  }

  @Test
  @Weakness
  void aSixteenKiBMessageIsReadAThousandBytesAtATime() throws Exception {
    // The other weakness it keeps: the tutorial's recv(1024). Step 7 reads 64 KiB at a time.
    restartWith("--trace");
    assertThat(Scenarios.readsOfOneMessage(server, 16 * 1024))
        .allMatch(count -> count <= 1024)
        .hasSizeGreaterThanOrEqualTo(16);
  }

  private static void send(Peer peer, byte[] bytes) {
    try {
      peer.send(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readUntilEndOfStream(Peer peer) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    for (int reads = 0; reads < 100_000; reads++) {
      if (peer.socket.getInputStream().read(chunk) == -1) {
        return;
      }
    }
  }
}
