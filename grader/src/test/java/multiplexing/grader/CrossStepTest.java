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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import multiplexing.testkit.ChildServer;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.ServerFixture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What makes each step's tests a grader, and the answers in docs/exercises.md that are a short
 * change (a patch in docs/answers/), each applied to its step's server and doing what it says.
 */
@Tag("cross-step")
class CrossStepTest {
  static final Path ROOT =
      Path.of(System.getProperty("grader.root", "..")).toAbsolutePath().normalize();

  /** A test's line in ./grade's report: status, tag, sentence, seconds it took. */
  private static final Pattern TEST =
      Pattern.compile("  (passed|skipped|FAILED|-) +(\\w+) +(.*?)(?: \\((\\d+\\.\\d) s\\))?");

  static List<List<String>> pairs() throws Exception {
    List<String> steps = Grade.steps(ROOT);
    return IntStream.range(1, steps.size()).mapToObj(i -> steps.subList(i - 1, i + 1)).toList();
  }

  @ParameterizedTest
  @MethodSource("pairs")
  void onTheEarlierServerLessonsFailInTenSecondsAndContractsPassAndOnItsOwnServerAllPass(
      List<String> pair) throws Exception {
    List<Matcher> tests =
        grade(pair.get(1), source(pair.get(0)), false)
            .lines()
            .map(TEST::matcher)
            .filter(Matcher::matches)
            .toList();
    assertThat(tests).extracting(t -> t.group(2)).doesNotContain("untagged").contains("lesson");
    String withoutBash = ChildServer.bashAvailable() ? "passed" : "skipped";
    assertThat(tests)
        .filteredOn(t -> !t.group(2).equals("weakness"))
        .allSatisfy(
            t -> {
              boolean lesson = t.group(2).equals("lesson");
              List<String> expected = lesson ? List.of("FAILED") : List.of("passed", withoutBash);
              assertThat(t.group(1)).as(t.group()).isIn(expected);
              if (lesson) {
                assertThat(Double.parseDouble(t.group(4))).as(t.group()).isLessThan(10);
              }
            });
    assertThat(grade(String.valueOf(Grade.number(pair.get(1))), source(pair.get(1)), false))
        .as("each step's own server passes its own tests through ./grade")
        .containsPattern("(?m)^[1-9]\\d* passed, 0 failed$")
        .endsWith("exit 0");
  }

  /**
   * ./grade STEP on a step's server or on an answer's patch (with "java": run as on Windows, no
   * bash), and what it prints: a regex each, "&" between them.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          step3-read-write-split | step2-select-echo | FAILED   lesson    OP_WRITE is on only while something is queued & hint: a read queues its bytes and turns OP_WRITE on; the write that empties the queue turns it off & read: docs/step3-read-write-split.md#the-change-hunk-by-hunk & not graded: this step keeps it on purpose & ^\\d+ passed, 2 failed$ & exit 1
          3 | step3-see-the-spin.diff | FAILED   lesson    OP_WRITE is on only while something is queued & FAILED   contract  With a hundred idle clients the loop sleeps & ^\\d+ passed, 2 failed$ & exit 1
          4 | step4-error-handling java | skipped  lesson    Out of descriptors accepting pauses with growing backoff and resumes when some are free & ^\\d+ passed, 0 failed, 1 skipped$ & exit 0
          6 | step6-why-linger.diff | FAILED   lesson    A client still reading a large echo when it looks idle gets every byte then an end of stream .*\\n +why:  Connection reset & exit 1
          7 | step7-jump-the-queue.diff | FAILED   contract  Bytes that arrive while older ones are queued come back after them & exit 1
          """)
  void gradePrintsEachTestAndHintsAFailedLesson(String step, String file, String says)
      throws Exception {
    String[] server = file.split(" ");
    Path source = file.endsWith(".diff") ? patched(file.replace(".diff", "")) : source(server[0]);
    String output = grade(step, source, server.length > 1);
    for (String expected : says.split(" & ")) {
      assertThat(output).containsPattern("(?m)" + expected);
    }
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

  static Path source(String step) {
    return ROOT.resolve(step + "/src/main/java/multiplexing/EchoServer.java");
  }

  /** The answer's patch applied to the step's server it names, under grader/target/answers. */
  private static Path patched(String answer) throws Exception {
    List<String> diff = Files.readAllLines(ROOT.resolve("docs/answers/" + answer + ".diff"));
    List<String> source = Files.readAllLines(ROOT.resolve(diff.get(0).substring("--- ".length())));
    Path copy = ROOT.resolve("grader/target/answers/" + answer + "/EchoServer.java");
    Files.createDirectories(copy.getParent());
    return Files.write(copy, UnifiedDiffUtils.parseUnifiedDiff(diff).applyFuzzy(source, 0));
  }

  /** The answer's patched server, compiled alone as ./grade does, in a class loader of its own. */
  private static Class<?> load(String answer) throws Exception {
    Path classes = ROOT.resolve("grader/target/graded").resolve(answer);
    Grade.compile(patched(answer).toString(), classes);
    URL[] urls = {classes.toUri().toURL()};
    ClassLoader loader = new URLClassLoader(answer, urls, CrossStepTest.class.getClassLoader());
    return Class.forName("multiplexing.EchoServer", true, loader);
  }

  /**
   * What ./grade printed, then a line "exit N". With javaAlone, Grade.java runs as ./grade runs it
   * but with nothing else on the PATH, as on Windows: no bash. The build this test runs in has just
   * built what ./grade needs: the stamp says so.
   */
  private static String grade(String step, Path file, boolean javaAlone) throws Exception {
    Files.writeString(ROOT.resolve(Grade.STAMP), "");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of("./grade", step, file.toString()));
    if (javaAlone) {
      command.set(0, "grader/src/main/java/multiplexing/grader/Grade.java");
      command.addAll(0, List.of(java.toString(), "-Dgrade.root=" + ROOT));
    }
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    String bin = java.getParent().toString();
    builder
        .environment()
        .merge("PATH", bin, (path, b) -> javaAlone ? b : b + File.pathSeparator + path);
    Process grade = builder.start();
    String output = new String(grade.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(grade.waitFor(120, TimeUnit.SECONDS)).as("./grade ended").isTrue();
    return output + "exit " + grade.exitValue();
  }
}
