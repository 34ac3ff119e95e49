package multiplexing.grader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import multiplexing.grader.Report.Outcome;
import multiplexing.grader.Report.Status;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.ServerFixture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The answers in docs/exercises.md that are a short change: each change is a patch in
 * docs/answers/, shown whole on the page, applied here to its step's server, which then does what
 * the answer says.
 */
@Tag("cross-step")
class AnswersTest {
  private static final Duration A_WHILE = Duration.ofMillis(500);

  /** The server of the step the patch names, with the patch applied, compiled as ./grade does. */
  private static Class<?> patched(String answer) throws Exception {
    return load(answer, compiled(answer));
  }

  private static Path compiled(String answer) throws Exception {
    List<String> diff = Files.readAllLines(Graded.ROOT.resolve("docs/answers/" + answer + ".diff"));
    String file = diff.get(0).substring("--- ".length());
    Patch<String> patch = UnifiedDiffUtils.parseUnifiedDiff(diff);
    List<String> source = Files.readAllLines(Graded.ROOT.resolve(file));
    Path copy =
        Graded.ROOT.resolve("grader/target/answers").resolve(answer).resolve("EchoServer.java");
    Files.createDirectories(copy.getParent());
    Files.write(copy, DiffUtils.patch(source, patch));
    return Graded.compile("answer-" + answer, copy);
  }

  private static Class<?> load(String answer, Path classes) throws Exception {
    java.net.URLClassLoader loader =
        new java.net.URLClassLoader(
            answer,
            new java.net.URL[] {classes.toUri().toURL()},
            AnswersTest.class.getClassLoader());
    return Class.forName("multiplexing.EchoServer", true, loader);
  }

  /** Step 2, "Forget ready.remove()": the selected set keeps every key that was ever ready. */
  @Test
  void withoutReadyRemoveEveryKeyEverReadyIsCountedAgainAndAcceptCopesWithNull() throws Exception {
    try (ServerFixture server =
        ServerFixture.start(patched("step2-forget-ready-remove"), "--trace")) {
      Peer first = server.connect();
      assertThat(first.echo("jerome")).isEqualTo("jerome");
      Peer second = server.connect();
      assertThat(second.echo("hello")).isEqualTo("hello");
      // The listener's key and both clients' stay in the set: three "ready", one event.
      server.awaitLine(line -> line.matches("pass \\d+: 3 ready of 3 registered .*"));
      // The listener's stale key makes us call accept() with nobody waiting: it returns null.
      assertThat(first.echo("still fine")).isEqualTo("still fine");
      assertThat(server.log()).noneMatch(line -> line.startsWith("stopped by "));
    }
  }

  /** Step 2, "The tutorial's timeout": select(500) wakes an idle server twice a second. */
  @Test
  void withSelect500AnIdleServerWakesEveryHalfSecondForNothing() throws Exception {
    try (ServerFixture server =
        ServerFixture.start(patched("step2-select-with-a-timeout"), "--trace")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> server.count("pass ") >= 3);
      assertThat(server.lines(line -> line.startsWith("pass ")))
          .allMatch(line -> line.endsWith(": nothing ready (woken early)"));
    }
  }

  /** Step 3, "See the spin": OP_WRITE left on makes every pass find the idle client writable. */
  @Test
  void withOpWriteLeftOnAnIdleClientMakesTheLoopSpin() throws Exception {
    try (ServerFixture server = ServerFixture.start(patched("step3-see-the-spin"), "--trace")) {
      Peer peer = server.connect();
      assertThat(peer.echo("jerome")).isEqualTo("jerome");
      String name = Scenarios.name(peer);
      server.awaitLine(line -> line.startsWith(name + "write: wrote 6 B, queued 0 B"));
      long passes = server.count("pass ");
      // Nobody sends anything, and yet: hundreds of passes, each an empty write.
      await().atMost(A_WHILE).until(() -> server.count("pass ") > passes + 100);
      assertThat(server.log())
          .contains(name + "write: wrote 0 B, queued 0 B, interest read+write -> read+write");
    }
  }

  /**
   * Steps 5 and 6, "Why linger?": a plain close of a client that looks idle while it reads a large
   * echo fails the step's test of exactly that, and the client meets a reset.
   */
  @Test
  void withoutTheLingeringCloseTheSlowReadersTestFails() throws Exception {
    Outcome outcome =
        only(
            "step6-why-linger",
            "aClientStillReadingALargeEchoWhenItLooksIdleGetsEveryByteThenAnEndOfStream");
    assertThat(outcome.status()).as("%s", outcome).isEqualTo(Status.FAILED);
    assertThat(outcome.why()).as("why it failed").startsWith("Connection reset");
  }

  /**
   * Steps 5 and 6, "Why a reset?": lingering for a client we still hold bytes for ends in an end of
   * stream, which the client cannot tell from a complete echo.
   */
  @Test
  void withTheLingeringCloseForAClientWeOweItReadsAnEndOfStreamAfterFewerBytesThanItSent()
      throws Exception {
    try (ServerFixture server =
        ServerFixture.start(
            patched("step6-why-a-reset"),
            "--trace",
            "--idle-timeout=1",
            "--high-water=" + 64 * 1024 * 1024)) {
      // As the step's own test: it sends until we hold 8 MiB for it, and reads nothing.
      Peer greedy = server.connect(4096);
      String name = Scenarios.name(greedy);
      byte[] chunk = new byte[64 * 1024];
      long sent = 0;
      while (sent < 64 * 1024 * 1024 && Scenarios.mostQueued(server, name) < 8 * 1024 * 1024) {
        greedy.send(chunk);
        sent += chunk.length;
      }
      server.awaitLine(
          line ->
              line.equals("closing idle " + Scenarios.address(greedy) + " (lingering up to 30 s)"));
      long received = 0;
      for (int reads = 0; reads < 100_000; reads++) {
        int count = greedy.socket.getInputStream().read(chunk);
        if (count == -1) {
          break;
        }
        received += count;
      }
      assertThat(received).as("what came before the end of stream").isLessThan(sent);
    }
  }

  private static Outcome only(String answer, String test) throws Exception {
    List<Outcome> outcomes =
        Report.run(
            Graded.ROOT.resolve("step6-idle-timeout/target/test-classes"),
            compiled(answer),
            outcome -> {},
            List.of("multiplexing.EchoServerTest#" + test));
    assertThat(outcomes).hasSize(1);
    return outcomes.get(0);
  }
}
