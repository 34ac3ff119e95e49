package multiplexing.grader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.io.File;
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
 * What makes each step's tests a grader: run against the step before, every lesson test fails, and
 * fast, and every contract test passes; each step's own server passes through ./grade. And the
 * answers in docs/exercises.md that are a short change (a patch in docs/answers/, shown whole on
 * the page): applied to its step's server, each does what the answer says.
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
    assertThat(outcomes)
        .filteredOn(o -> o.kind().equals("lesson"))
        .allSatisfy(o -> assertThat(o.status()).as(o.id()).isEqualTo(Status.FAILED))
        .allSatisfy(o -> assertThat(o.took()).as(o.id()).isLessThan(Duration.ofSeconds(10)));
    assertThat(outcomes)
        .filteredOn(o -> o.kind().equals("contract"))
        .isNotEmpty()
        .allSatisfy(
            o ->
                assertThat(o.status())
                    .as("%s: %s", o.id(), o.why())
                    .isIn(
                        Status.PASSED,
                        ChildServer.bashAvailable() ? Status.PASSED : Status.SKIPPED));
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
    assertThat(grade("step3-read-write-split", source("step2-select-echo")))
        .contains(
            "  FAILED   lesson    OP_WRITE is on only while something is queued",
            "                     hint: a read queues its bytes and turns OP_WRITE on; the write"
                + " that empties the queue turns it off",
            "                     read: docs/step3-read-write-split.md#the-change-hunk-by-hunk",
            "exit 1")
        .anyMatch(line -> line.contains("not graded: this step keeps it on purpose"))
        .anyMatch(line -> line.matches("\\d+ passed, 3 failed"));
  }

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
    // As on Windows: no bash on the PATH, so no `ulimit`. Grade.java is run as ./grade runs it.
    List<String> lines = grade("4", source("step4-error-handling"), "java");
    assertThat(lines)
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
        "multiplexing.EchoServerTest#aClientStillReadingALargeEchoWhenItLooksIdleGetsEveryByteThenAnEndOfStream";
    Path classes = compiled("step6-why-linger", Path.of(patched("step6-why-linger")));
    assertThat(run("step6-idle-timeout", classes, List.of(test)))
        .singleElement()
        .satisfies(o -> assertThat(o.status()).isEqualTo(Status.FAILED))
        .satisfies(o -> assertThat(o.why()).startsWith("Connection reset"));
  }

  /**
   * Step 6, "Why a reset?": lingering for a client we still hold bytes for ends in an end of
   * stream, which the client cannot tell from a complete echo.
   */
  @Test
  void withTheLingeringCloseForAClientWeOweItReadsAnEndOfStreamAfterFewerBytesThanItSent()
      throws Exception {
    try (ServerFixture server =
        ServerFixture.start(
            load("step6-why-a-reset"),
            "--trace",
            "--idle-timeout=1",
            "--high-water=" + (64 << 20))) {
      // As the step's own test: it sends until we hold 8 MiB for it, and reads nothing.
      Peer greedy = server.connect(4096);
      String name = Scenarios.name(greedy);
      long sent =
          Scenarios.sendUntil(server, greedy, Scenarios.queuedFor(name, 8 << 20), 64 << 20).length;
      server.awaitLine(
          line ->
              line.equals("closing idle " + Scenarios.address(greedy) + " (lingering up to 30 s)"));
      assertThat(greedy.receiveUpTo((int) sent, 5_000).length)
          .as("what came before the end of stream")
          .isLessThan((int) sent);
      assertThat(greedy.atEndOfStream()).as("an end of stream, not a reset").isTrue();
    }
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
  private static String patched(String answer) throws Exception {
    List<String> diff = Files.readAllLines(ROOT.resolve("docs/answers/" + answer + ".diff"));
    List<String> source = Files.readAllLines(ROOT.resolve(diff.get(0).substring("--- ".length())));
    Path copy = ROOT.resolve("grader/target/answers/" + answer + "/EchoServer.java");
    Files.createDirectories(copy.getParent());
    Files.write(copy, DiffUtils.patch(source, UnifiedDiffUtils.parseUnifiedDiff(diff)));
    return ROOT.relativize(copy).toString();
  }

  private static Class<?> load(String answer) throws Exception {
    Path classes = compiled(answer, Path.of(patched(answer)));
    java.net.URLClassLoader loader =
        new java.net.URLClassLoader(
            answer,
            new java.net.URL[] {classes.toUri().toURL()},
            CrossStepTest.class.getClassLoader());
    return Class.forName("multiplexing.EchoServer", true, loader);
  }

  /**
   * What ./grade printed, then "exit N": run with this JVM's java first on the PATH, or (given
   * "java") as ./grade runs Grade.java but with nothing else on the PATH, as on Windows. The build
   * this test runs in has just built what ./grade needs: the stamp says so.
   */
  private static List<String> grade(String step, Object file, String... javaAlone)
      throws Exception {
    Files.writeString(ROOT.resolve(Grade.STAMP), "");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        javaAlone.length == 0
            ? List.of("./grade")
            : List.of(
                java.toString(),
                "-Dgrade.root=" + ROOT,
                "grader/src/main/java/multiplexing/grader/Grade.java");
    List<String> args = new ArrayList<>(command);
    args.addAll(List.of(step, file.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(args).directory(ROOT.toFile()).redirectErrorStream(true);
    builder
        .environment()
        .merge(
            "PATH",
            java.getParent().toString(),
            (path, bin) -> javaAlone.length == 0 ? bin + File.pathSeparator + path : bin);
    Process grade = builder.start();
    List<String> lines =
        new ArrayList<>(
            new String(grade.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList());
    assertThat(grade.waitFor(120, TimeUnit.SECONDS)).as("./grade ended").isTrue();
    lines.add("exit " + grade.exitValue());
    return lines;
  }
}
