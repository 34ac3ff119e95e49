package multiplexing.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import multiplexing.grader.Report.Kind;
import multiplexing.grader.Report.Outcome;
import multiplexing.grader.Report.Status;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What makes each step's tests a grader: run against the step before, every lesson test fails (and
 * fast), and every contract test passes. The earlier server is compiled as ./grade compiles a
 * student's file. Each pair's outcomes go to {@code grader/target/cross-step.md}.
 */
@Tag("cross-step")
class CrossStepTest {
  // A lesson test must tell a student "not yet" quickly.
  private static final Duration FAILS_WITHIN = Duration.ofSeconds(10);
  private static final Path TABLE = Graded.ROOT.resolve("grader/target/cross-step.md");

  @BeforeAll
  static void startTheTable() throws IOException {
    Files.createDirectories(TABLE.getParent());
    Files.writeString(
        TABLE,
        "| pair | lesson test of the later step | how it fails on the earlier server | s |\n"
            + "| --- | --- | --- | --- |\n");
  }

  static Stream<Arguments> pairs() {
    List<String> steps = Grade.steps(Graded.ROOT);
    List<Arguments> pairs = new ArrayList<>();
    for (int i = 1; i < steps.size(); i++) {
      pairs.add(Arguments.of(steps.get(i - 1), steps.get(i)));
    }
    return pairs.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("pairs")
  void onTheEarlierServerEveryLessonTestFailsWithinTenSecondsAndEveryContractTestPasses(
      String earlier, String later) throws Exception {
    Path server = Graded.compile(earlier, Graded.source(earlier));
    List<Outcome> outcomes =
        Report.run(Graded.ROOT.resolve(later).resolve("target/test-classes"), server);

    StringBuilder rows = new StringBuilder();
    for (Outcome o : outcomes) {
      if (o.kind() == Kind.LESSON) {
        rows.append(
            String.format(
                "| %d -> %d | `%s` | %s | %.1f |%n",
                Grade.number(earlier),
                Grade.number(later),
                o.id(),
                o.why().replace("|", "\\|"),
                o.took().toMillis() / 1000.0));
      }
    }
    Files.writeString(TABLE, rows, java.nio.file.StandardOpenOption.APPEND);

    assertThat(outcomes).as("tests without a kind").noneMatch(o -> o.kind() == Kind.UNTAGGED);
    assertThat(outcomes).as("lesson tests").anyMatch(o -> o.kind() == Kind.LESSON);
    assertThat(outcomes)
        .filteredOn(o -> o.kind() == Kind.LESSON)
        .as("%s's lesson tests on %s's server", later, earlier)
        .allSatisfy(
            o -> {
              assertThat(o.status()).as("%s", o.id()).isEqualTo(Status.FAILED);
              assertThat(o.took()).as("how long %s took to fail", o.id()).isLessThan(FAILS_WITHIN);
            });
    assertThat(outcomes)
        .filteredOn(o -> o.kind() == Kind.CONTRACT)
        .as("%s's contract tests on %s's server", later, earlier)
        .isNotEmpty()
        .allSatisfy(
            o ->
                assertThat(o.status())
                    .as("%s: %s", o.id(), o.why())
                    .isIn(Status.PASSED, Graded.BASH ? Status.PASSED : Status.SKIPPED));
  }

  static Stream<String> exercises() {
    return Grade.steps(Graded.ROOT).stream().filter(step -> Grade.number(step) >= 2);
  }

  @ParameterizedTest
  @MethodSource("exercises")
  void eachStepsOwnServerPassesItsOwnTestsThroughGrade(String step) throws Exception {
    Graded.Run run =
        Graded.grade(
            String.valueOf(Grade.number(step)),
            Graded.ROOT.relativize(Graded.source(step)).toString());
    assertThat(run.exit()).as("./grade's exit code; it printed %s", run.lines()).isZero();
    assertThat(run.last()).matches("[1-9]\\d* passed, 0 failed");
  }

  @Test
  void gradingStepTwosServerAsStepThreeExitsOneNamingAndHintingStepThreesLessons()
      throws Exception {
    Graded.Run run =
        Graded.grade("3", "step2-select-echo/src/main/java/multiplexing/EchoServer.java");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.lines())
        .contains(
            "  FAILED   lesson    OP_WRITE is on only while something is queued",
            "                     hint: a read queues its bytes and turns OP_WRITE on; the write"
                + " that empties the queue turns it off")
        .anyMatch(
            line -> line.endsWith("read: docs/step3-read-write-split.md#the-change-hunk-by-hunk"))
        .anyMatch(line -> line.contains("not graded: this step keeps it on purpose"));
    assertThat(run.last()).matches("\\d+ passed, 2 failed");
  }

  @Test
  void aStepThreeThatLeavesOpWriteOnForGoodIsCaughtByName() throws Exception {
    // The spin step 3 exists to prevent: OP_WRITE on with nothing to write.
    Path mutant =
        Graded.copy(
            "step3-read-write-split",
            "step3-op-write-always-on",
            source ->
                source.replace(
                    "SelectionKey.OP_READ | (queued > 0 ? SelectionKey.OP_WRITE : 0)",
                    "SelectionKey.OP_READ | SelectionKey.OP_WRITE"));
    Graded.Run run = Graded.grade("3", Graded.ROOT.relativize(mutant).toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.lines())
        .contains(
            "  FAILED   lesson    OP_WRITE is on only while something is queued",
            "  FAILED   contract  With a hundred idle clients the loop sleeps");
    assertThat(run.last()).matches("\\d+ passed, 2 failed");
  }

  @Test
  void withoutBashTheAcceptTestIsSkippedNotFailed() throws Exception {
    // As on Windows: no bash on the PATH, so no `ulimit`. Grade.java is run the way ./grade runs
    // it.
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "-Dgrade.root=" + Graded.ROOT,
                "grader/src/main/java/multiplexing/grader/Grade.java",
                "4",
                "step4-error-handling/src/main/java/multiplexing/EchoServer.java")
            .directory(Graded.ROOT.toFile())
            .redirectErrorStream(true);
    builder.environment().put("PATH", java.getParent().toString());
    Graded.built();
    Graded.Run run = Graded.run(builder);
    assertThat(run.exit()).as("exit code; it printed %s", run.lines()).isZero();
    assertThat(run.lines())
        .contains(
            "  skipped  lesson    Out of descriptors accepting pauses with growing backoff and"
                + " resumes when some are free");
    assertThat(run.last()).matches("\\d+ passed, 0 failed, 1 skipped");
  }
}
