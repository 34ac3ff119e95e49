package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import multiplexing.testkit.ChildServer;
import multiplexing.testkit.Contract;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Lesson;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Soak;
import multiplexing.testkit.Weakness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Step 5: what we hold for each client, for all of them, and how many they are, is bounded. */
class EchoServerTest extends EchoContract {
  private static final int HIGH_WATER = 64 * 1024;
  private static final int LOW_WATER = 16 * 1024;
  // The high water mark is passed by at most one read. This step reads 1 KiB at a time, but a
  // version that reads up to 64 KiB is no less right, so that is what we allow.
  private static final long HIGH_WATER_AND_A_READ = HIGH_WATER + 64 * 1024;
  // A child JVM's options: a 64 MiB heap, a quarter of which all clients together may hold.
  private static final List<String> SMALL_HEAP = List.of("-Xmx64m", "-XX:+UseSerialGC");
  private static final Pattern QUEUED = Pattern.compile("queued (\\d+) B");

  @Test
  @Lesson("past --high-water stop reading (OP_READ off); at --low-water or below read again")
  void aClientThatNeverReadsIsPausedAtTheHighWaterMarkAndResumedAtTheLowOneOnceItReads()
      throws Exception {
    // Step 4's weakness, gone: it queues whatever a client sends, without end.
    restartWith("--trace", "--high-water=" + HIGH_WATER, "--low-water=" + LOW_WATER);
    Peer greedy = server.connect(4096);
    String name = Scenarios.name(greedy);
    String address = Scenarios.address(greedy);
    Predicate<String> paused = line -> line.startsWith("paused reading " + address + " (");
    // It sends until the server says it paused, however much the kernel's buffers took first.
    CompletableFuture<byte[]> sending =
        CompletableFuture.supplyAsync(
            () -> Scenarios.sendUntil(server, greedy, paused, Scenarios.MOST_BYTES / 4));
    server.awaitLine(paused);
    // The pause is logged just before the trace line of the read that caused it.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Scenarios.mostQueued(server, name) >= HIGH_WATER);
    assertThat(Scenarios.mostQueued(server, name))
        .as("the most we held for it")
        .isBetween((long) HIGH_WATER, HIGH_WATER_AND_A_READ);
    assertThat(server.connect().echo("not stuck behind it"))
        .as("another client's echo meanwhile")
        .isEqualTo("not stuck behind it");

    // Once it reads, it gets every byte in order, and we read from it again.
    assertThat(Scenarios.receiveAll(greedy, sending))
        .as("every byte it sent, in order")
        .isEqualTo(sending.get());
    String resumed = "resumed reading " + address;
    List<String> lines =
        server
            .lines(line -> line.startsWith(name) || paused.test(line) || line.equals(resumed))
            .toList();
    int pausedAt = lines.indexOf(lines.stream().filter(paused).findFirst().orElseThrow());
    int resumedAt = lines.indexOf(resumed);
    assertThat(resumedAt).as("resumed after paused").isGreaterThan(pausedAt);
    // Not before the queue is down to the low water mark.
    List<String> writes =
        lines.subList(pausedAt, resumedAt).stream()
            .filter(line -> line.contains(" write: "))
            .toList();
    assertThat(writes).as("the writes while it was paused").isNotEmpty();
    assertThat(writes.subList(0, writes.size() - 1))
        .as("the writes before the last one, while paused")
        .allMatch(line -> queued(line) > LOW_WATER);
    assertThat(queued(writes.get(writes.size() - 1)))
        .as("what we held after the write that let it resume")
        .isLessThanOrEqualTo(LOW_WATER);
    assertThat(lines.get(resumedAt + 1))
        .as("the trace line after 'resumed reading'")
        .matches(".* resumed: reading again, queued \\d+ B, interest \\S+ -> read(\\+write)?");
    assertThat(Scenarios.mostQueued(server, name))
        .as("the most we ever held for it")
        .isLessThanOrEqualTo(HIGH_WATER_AND_A_READ);
  }

  @Test
  @Lesson("never read more than the budget has left; a client we hold nothing for is still served")
  void clientsThatNeverReadTogetherNeverMakeUsHoldMoreThanAQuarterOfTheHeap() throws Exception {
    // 70 clients at the 1 MiB high water mark would need 70 MiB of a 64 MiB heap. All together
    // they may hold a quarter of it: each read takes at most what the budget has left.
    int greedyClients = 70;
    List<Peer> peers = new ArrayList<>();
    ExecutorService senders = Executors.newFixedThreadPool(greedyClients);
    long budget = ChildServer.maxMemory(SMALL_HEAP) / 4;
    ChildServer child = new ChildServer(serverClass(), null, SMALL_HEAP, "--trace");
    try {
      for (int i = 0; i < greedyClients; i++) {
        Peer greedy = Peer.connect(child.port(), 4096);
        peers.add(greedy);
        senders.execute(() -> Scenarios.sendWithoutReading(greedy));
      }
      Predicate<String> outOfMemory = line -> line.contains("OutOfMemoryError");
      await()
          .atMost(Duration.ofSeconds(30))
          .alias("every one of them is paused, or the server runs out of memory")
          .until(
              () ->
                  pausedClients(child.log()) >= greedyClients
                      || child.log().stream().anyMatch(outOfMemory));
      assertThat(child.log()).as("the server's output").noneMatch(outOfMemory);
      assertThat(child.log())
          .as("the trace, once they are all paused")
          .anyMatch(line -> line.contains(" read: nothing read, the budget is spent"));
      assertThat(Scenarios.mostHeldInAll(child.log()))
          .as("the most all clients together held, summed from the trace at every line")
          .isLessThanOrEqualTo(budget);
      // With the budget spent, a client we hold nothing for is still served, and served again.
      try (Peer bystander = Peer.connect(child.port())) {
        assertThat(bystander.echo("still standing"))
            .as("a newcomer's echo with the budget spent")
            .isEqualTo("still standing");
        assertThat(bystander.echo("and again")).as("its second echo").isEqualTo("and again");
      }
      // And one that sends while it reads, and so is often owed bytes, is never starved.
      Scenarios.Transfer streaming = Scenarios.sendsWhileReading(child.port(), 256 * 1024);
      assertThat(streaming.intact())
          .as(
              "the echo of a client that sends while it reads, with the budget spent: %s",
              streaming)
          .isTrue();
      assertThat(child.process().isAlive()).as("the server is alive").isTrue();

      // Once they have left, what they held is back in the budget: a newcomer that never reads
      // is paused at its own high water mark (1 MiB by default), not at its first queued byte.
      for (Peer peer : peers) {
        peer.close();
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  child.count("reset by peer ") + child.count("closed by peer ") >= greedyClients);
      Peer newcomer = Peer.connect(child.port(), 4096);
      peers.add(newcomer);
      String newcomerPaused = "paused reading " + Scenarios.address(newcomer) + " (";
      senders.execute(() -> Scenarios.sendWithoutReading(newcomer));
      await().atMost(Duration.ofSeconds(10)).until(() -> child.count(newcomerPaused) > 0);
      String line =
          child.log().stream().filter(l -> l.startsWith(newcomerPaused)).findFirst().orElseThrow();
      long queued =
          Long.parseLong(line.substring(newcomerPaused.length(), line.indexOf(" queued")));
      assertThat(queued)
          .as("what we held for the newcomer when we paused it")
          .isGreaterThanOrEqualTo(1024 * 1024);
    } finally {
      for (Peer peer : peers) {
        peer.close();
      }
      senders.shutdownNow();
      assertThat(senders.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      child.close();
    }
  }

  @Test
  @Lesson("count the clients; past --max-connections accept, log 'refused A (the cap is N)', close")
  void pastTheConnectionCapANewcomerIsRefusedByNameAndTheOthersKeepTheirEcho() throws Exception {
    restartWith("--max-connections=2");
    Peer first = server.connect();
    Peer second = server.connect();
    assertThat(first.echo("one")).isEqualTo("one");
    assertThat(second.echo("two")).isEqualTo("two");

    Peer third = server.connect();
    assertThat(third.atEndOfStream()).as("the third client is closed").isTrue();
    server.awaitLine(
        line -> line.equals("refused " + Scenarios.address(third) + " (the cap is 2)"));
    assertThat(first.echo("still one")).isEqualTo("still one");

    second.close();
    server.awaitLine(line -> line.equals("closed by peer " + Scenarios.address(second)));
    assertThat(server.connect().echo("room again"))
        .as("a newcomer's echo once a place is free")
        .isEqualTo("room again");
  }

  @Lesson("each option takes a whole number in its range, or says so in one line")
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--high-water=99999999999 | --high-water=99999999999: must be from 1 to 1073741824 bytes",
        "--low-water=2000000 | --low-water=2000000: must be from 0 to 1048575 bytes, below"
            + " --high-water",
        "--high-water=4096 --low-water=4096 | --low-water=4096: must be from 0 to 4095 bytes,"
            + " below --high-water",
        "--max-connections=0 | --max-connections=0: must be from 1 to 1048576 clients",
        "--max-connections=many | --max-connections=many: must be from 1 to 1048576 clients",
      })
  void aBadSettingGetsOneLineNamingTheValueTheRangeAndTheUnit(String args, String message) {
    Launched launched = launch(args.split(" "));
    assertThat(launched.server()).as("the server launched with %s", args).isNull();
    assertThat(launched.err())
        .as("what it printed on standard error")
        .isEqualTo(lines("EchoServer: " + message + " (--help for usage)"));
  }

  @Test
  @Contract
  void twoHundredClientsWithRandomTrafficGetEveryByteThroughTheBounds() throws Exception {
    // Step 4's soak, with the default bounds. (The soak sends each message whole before it reads
    // the echo: a high water mark below its largest message could pause a client that is itself
    // stuck in write(), wherever the kernel's buffers are small.)
    Soak.runAgainst(server);
  }

  @Test
  @Weakness
  void aSilentClientHoldsItsPlaceForEverSoPastTheCapNewcomersAreRefused() throws Exception {
    // The weakness this step keeps: nothing ends a client that just stops talking.
    restartWith("--max-connections=1");
    Peer silent = server.connect();
    assertThat(silent.echo("then nothing")).isEqualTo("then nothing");
    await()
        .during(A_WHILE)
        .atMost(A_WHILE.multipliedBy(3))
        .until(
            () ->
                !server.logged(
                    line ->
                        line.endsWith(" " + Scenarios.address(silent))
                            && !line.startsWith("accepted ")));
    Peer newcomer = server.connect();
    assertThat(newcomer.atEndOfStream()).as("the newcomer is refused").isTrue();
    server.awaitLine(line -> line.startsWith("refused " + Scenarios.address(newcomer)));
  }

  // How many clients the log says were paused at least once.
  private static long pausedClients(List<String> log) {
    return log.stream()
        .filter(line -> line.startsWith("paused reading "))
        .map(line -> line.substring("paused reading ".length(), line.indexOf(" (")))
        .distinct()
        .count();
  }

  private static long queued(String line) {
    Matcher matcher = QUEUED.matcher(line);
    assertThat(matcher.find()).as("queued in: %s", line).isTrue();
    return Long.parseLong(matcher.group(1));
  }
}
