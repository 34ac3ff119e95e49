package multiplexing.grader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.difflib.UnifiedDiffUtils;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import multiplexing.grader.Report.Outcome;
import multiplexing.grader.Report.Status;
import multiplexing.testkit.ChildServer;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.ServerFixture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What makes each step's tests a grader, and the answers in docs/exercises.md that are a short
 * change (a patch in docs/answers/), each applied to its step's server and doing what it says.
 */
@Tag("cross-step")
class CrossStepTest {
  static final Path ROOT =
      Path.of(System.getProperty("grader.root", "..")).toAbsolutePath().normalize();

  static List<List<String>> pairs() throws Exception {
    List<String> steps = Grade.steps(ROOT);
    List<List<String>> pairs = new ArrayList<>();
    for (int i = 1; i < steps.size(); i++) {
      pairs.add(steps.subList(i - 1, i + 1));
    }
    return pairs;
  }

  @ParameterizedTest
  @MethodSource("pairs")
  void onTheEarlierServerEveryLessonTestFailsWithinTenSecondsAndEveryContractTestPasses(
      List<String> pair) throws Exception {
    List<Outcome> outcomes =
        run(pair.get(1), compiled(pair.get(0), source(pair.get(0))), List.of());
    assertThat(outcomes).extracting(Outcome::kind).doesNotContain("untagged").contains("lesson");
    Status withoutBash = ChildServer.bashAvailable() ? Status.PASSED : Status.SKIPPED;
    assertThat(outcomes)
        .filteredOn(o -> !o.kind().equals("weakness"))
        .allSatisfy(
            o ->
                assertThat(o.status())
                    .as("%s: %s", o.id(), o.why())
                    .isIn(
                        o.kind().equals("lesson")
                            ? List.of(Status.FAILED)
                            : List.of(Status.PASSED, withoutBash)));
    assertThat(outcomes)
        .filteredOn(o -> o.kind().equals("lesson"))
        .allSatisfy(o -> assertThat(o.took()).as(o.id()).isLessThan(Duration.ofSeconds(10)));
  }

  @ParameterizedTest
  @MethodSource("pairs")
  void eachStepsOwnServerPassesItsOwnTestsThroughGrade(List<String> pair) throws Exception {
    assertThat(grade(String.valueOf(Grade.number(pair.get(1))), source(pair.get(1))))
        .contains("exit 0")
        .anyMatch(line -> line.matches("[1-9]\\d* passed, 0 failed"));
  }

  @Test
  void gradingStepTwosServerAsStepThreeExitsOneNamingAndHintingStepThreesLessons()
      throws Exception {
    String indent = " ".repeat(21);
    assertThat(grade("step3-read-write-split", source("step2-select-echo")))
        .contains(
            "  FAILED   lesson    OP_WRITE is on only while something is queued",
            indent
                + "hint: a read queues its bytes and turns OP_WRITE on; the write that empties"
                + " the queue turns it off",
            indent + "read: docs/step3-read-write-split.md#the-change-hunk-by-hunk",
            indent + "not graded: this step keeps it on purpose",
            "exit 1")
        .anyMatch(line -> line.matches("\\d+ passed, 2 failed"));
  }

  /** Step 3, "See the spin", is the mutation: OP_WRITE left on for good. */
  @Test
  void seeTheSpinLeavesOpWriteOnForGoodAndFailsTheTwoTestsThatCatchIt() throws Exception {
    assertThat(grade("3", patched("step3-see-the-spin")))
        .contains(
            "  FAILED   lesson    OP_WRITE is on only while something is queued",
            "  FAILED   contract  With a hundred idle clients the loop sleeps",
            "exit 1")
        .anyMatch(line -> line.matches("\\d+ passed, 2 failed"));
  }

  @Test
  void withoutBashTheAcceptTestIsSkippedNotFailed() throws Exception {
    assertThat(grade("4", source("step4-error-handling"), "java"))
        .contains(
            "  skipped  lesson    Out of descriptors accepting pauses with growing backoff and"
                + " resumes when some are free",
            "exit 0")
        .anyMatch(line -> line.matches("\\d+ passed, 0 failed, 1 skipped"));
  }

  /** Step 2, "Forget ready.remove()": the selected set keeps every key that was ever ready. */
  @Test
  void withoutReadyRemoveEveryKeyEverReadyIsCountedAgainAndAcceptCopesWithNull() throws Exception {
    try (ServerFixture server = ServerFixture.start(load("step2-forget-ready-remove"), "--trace")) {
      assertThat(server.connect().echo("jerome")).isEqualTo("jerome");
      Peer second = server.connect();
      assertThat(second.echo("hello")).isEqualTo("hello");
      // The listener's key and both clients' stay in the set: three "ready", one event.
      server.awaitLine(line -> line.matches("pass \\d+: 3 ready of 3 registered .*"));
      // The listener's stale key makes us call accept() with nobody waiting: it returns null.
      assertThat(second.echo("still fine")).isEqualTo("still fine");
      assertThat(server.log()).noneMatch(line -> line.startsWith("stopped by "));
    }
  }

  /** Step 2, "The tutorial's timeout": select(500) wakes an idle server twice a second. */
  @Test
  void withSelect500AnIdleServerWakesEveryHalfSecondForNothing() throws Exception {
    try (ServerFixture server =
        ServerFixture.start(load("step2-select-with-a-timeout"), "--trace")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> server.count("pass ") >= 3);
      assertThat(server.lines(line -> line.startsWith("pass ")))
          .allMatch(line -> line.endsWith(": nothing ready (woken early)"));
    }
  }

  /** Step 6, "Why linger?": a plain close makes a client still reading its echo meet a reset. */
  @Test
  void withoutTheLingeringCloseTheSlowReadersTestFailsWithAReset() throws Exception {
    String test =
        "multiplexing.EchoServerTest#"
            + "aClientStillReadingALargeEchoWhenItLooksIdleGetsEveryByteThenAnEndOfStream";
    Path server = compiled("step6-why-linger", patched("step6-why-linger"));
    assertThat(run("step6-idle-timeout", server, List.of(test)))
        .singleElement()
        .satisfies(o -> assertThat(o.status()).isEqualTo(Status.FAILED))
        .satisfies(o -> assertThat(o.why()).startsWith("Connection reset"));
  }

  /** Step 6, "Why a reset?": a lingering close ends what we owe a client in an end of stream. */
  @Test
  void withTheLingeringCloseForAClientWeOweItReadsAnEndOfStreamAfterFewerBytesThanItSent()
      throws Exception {
    Class<?> patched = load("step6-why-a-reset");
    try (ServerFixture server =
        ServerFixture.start(patched, "--trace", "--idle-timeout=1", "--high-water=" + (64 << 20))) {
      // As the step's own test: it sends until we hold 8 MiB for it, and reads nothing.
      Peer greedy = server.connect(4096);
      int sent =
          Scenarios.sendUntil(
                  server, greedy, Scenarios.queuedFor(Scenarios.name(greedy), 8 << 20), 64 << 20)
              .length;
      server.awaitLine(line -> line.startsWith("closing idle " + Scenarios.address(greedy)));
      assertThat(greedy.receiveUpTo(sent, 5_000).length).as("what came").isLessThan(sent);
      assertThat(greedy.atEndOfStream()).as("an end of stream, not a reset").isTrue();
    }
  }

  /** Step 7, "Jump the queue": a write ahead of the queued bytes sends the echo out of order. */
  @Test
  void writingAtOnceWithBytesQueuedSendsNewerBytesAheadOfOlderOnes() throws Exception {
    String test =
        "multiplexing.EchoServerTest#bytesThatArriveWhileOlderOnesAreQueuedComeBackAfterThem";
    Path server = compiled("step7-jump-the-queue", patched("step7-jump-the-queue"));
    assertThat(run("step7-fast-path", server, List.of(test)))
        .singleElement()
        .satisfies(o -> assertThat(o.status()).as("%s", o).isEqualTo(Status.FAILED));
  }

  static Path source(String step) {
    return ROOT.resolve(step + "/src/main/java/multiplexing/EchoServer.java");
  }

  /** Compiles a server file alone, as ./grade does, into grader/target/graded/NAME. */
  static Path compiled(String name, Path file) throws Exception {
    Path classes = ROOT.resolve("grader/target/graded").resolve(name);
    Grade.compile(file.toString(), classes);
    return classes;
  }

  private static List<Outcome> run(String step, Path server, List<String> only) throws Exception {
    return Report.run(ROOT.resolve(step + "/target/test-classes"), server, only, o -> {});
  }

  /** The answer's patch applied to the step's server it names, under grader/target/answers. */
  private static Path patched(String answer) throws Exception {
    List<String> diff = Files.readAllLines(ROOT.resolve("docs/answers/" + answer + ".diff"));
    List<String> source = Files.readAllLines(ROOT.resolve(diff.get(0).substring("--- ".length())));
    Path copy = ROOT.resolve("grader/target/answers/" + answer + "/EchoServer.java");
    Files.createDirectories(copy.getParent());
    return Files.write(copy, UnifiedDiffUtils.parseUnifiedDiff(diff).applyFuzzy(source, 0));
  }

  private static Class<?> load(String answer) throws Exception {
    URL[] classes = {compiled(answer, patched(answer)).toUri().toURL()};
    ClassLoader loader = new URLClassLoader(answer, classes, CrossStepTest.class.getClassLoader());
    return Class.forName("multiplexing.EchoServer", true, loader);
  }

  /**
   * What ./grade printed, then "exit N". With "java", Grade.java runs as ./grade runs it but with
   * nothing else on the PATH, as on Windows: no bash. The build this test runs in has just built
   * what ./grade needs: the stamp says so.
   */
  private static List<String> grade(String step, Path file, String... javaAlone) throws Exception {
    Files.writeString(ROOT.resolve(Grade.STAMP), "");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of("./grade", step, file.toString()));
    if (javaAlone.length > 0) {
      command.set(0, "grader/src/main/java/multiplexing/grader/Grade.java");
      command.addAll(0, List.of(java.toString(), "-Dgrade.root=" + ROOT));
    }
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    String bin = java.getParent().toString();
    builder
        .environment()
        .merge("PATH", bin, (path, b) -> javaAlone.length > 0 ? b : b + File.pathSeparator + path);
    Process grade = builder.start();
    String output = new String(grade.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(grade.waitFor(120, TimeUnit.SECONDS)).as("./grade ended").isTrue();
    List<String> lines = new ArrayList<>(output.lines().toList());
    lines.add("exit " + grade.exitValue());
    return lines;
  }
}
