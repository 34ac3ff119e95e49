package multiplexing.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input gets one line on standard error and exit code 2, before any test runs. */
class GradeTest {
  private static final Path FILES = Graded.ROOT.resolve("grader/target/bad-input");

  /** What grade() printed on standard error, and its exit code. */
  private record Result(int exit, String out, String err) {}

  private static Result grade(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Grade.grade(
            Graded.ROOT,
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String file(String name, String source) throws IOException {
    Path file = FILES.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, source);
    return file.toString();
  }

  private static void assertOneLine(Result graded, String line) {
    assertThat(graded.exit()).as("exit code").isEqualTo(2);
    assertThat(graded.out()).as("standard output").isEmpty();
    assertThat(graded.err()).as("standard error").isEqualTo(line + System.lineSeparator());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "8", "three", "step3"})
  void aStepThatIsNotAnExerciseIsNamedWithTheList(String step) {
    assertOneLine(
        grade(step, "EchoServer.java"),
        "grade: no step '"
            + step
            + "' to grade; the steps are 2 (step2-select-echo), 3 (step3-read-write-split),"
            + " 4 (step4-error-handling), 5 (step5-backpressure), 6 (step6-idle-timeout),"
            + " 7 (step7-fast-path)");
  }

  @Test
  void aStepIsANumberOrAModuleName() throws Exception {
    assertThat(Grade.step(Graded.ROOT, "3")).isEqualTo("step3-read-write-split");
    assertThat(Grade.step(Graded.ROOT, "step7-fast-path")).isEqualTo("step7-fast-path");
  }

  @Test
  void aFileThatDoesNotExist() {
    assertOneLine(
        grade("3", "mine/nowhere/EchoServer.java"),
        "grade: no such file: mine/nowhere/EchoServer.java");
  }

  @Test
  void aFolderInsteadOfAFile() throws IOException {
    Files.createDirectories(FILES);
    assertOneLine(
        grade("3", FILES.toString()),
        "grade: " + FILES + " is a folder: give the path of your EchoServer.java in it");
  }

  @Test
  void noArgumentsGetTheUsageInOneLine() {
    assertOneLine(
        grade(), "grade: give a step and a file, as in ./grade 3 mine/step3/EchoServer.java");
  }

  @Test
  void aFileThatDoesNotCompileGetsTheCompilersFirstErrorWithFileAndLine() throws IOException {
    String file =
        file(
            "broken/EchoServer.java",
            "package multiplexing;\n\npublic final class EchoServer {\n  int port = 1\n}\n");
    assertOneLine(grade("3", file), "grade: " + file + ":4: error: ';' expected");
  }

  @Test
  void aClassInAnotherPackage() throws IOException {
    String file = file("other/EchoServer.java", "package mine;\n\npublic class EchoServer {}\n");
    assertOneLine(
        grade("3", file),
        "grade: "
            + file
            + " declares mine.EchoServer, not multiplexing.EchoServer: keep the package and the"
            + " name");
  }

  @Test
  void aFileThatLacksWhatTheTestsCall() throws IOException {
    String file =
        file(
            "bare/EchoServer.java",
            "package multiplexing;\n\npublic final class EchoServer {\n"
                + "  public int port() { return 0; }\n}\n");
    assertOneLine(
        grade("3", file),
        "grade: "
            + file
            + " lacks static launch(String[], PrintStream, PrintStream), public run(), public"
            + " close(): the tests start and stop the server through them, as every step has"
            + " them");
  }

  @Test
  void helpPrintsTheUsage() {
    Result graded = grade("--help");
    assertThat(graded.exit()).isZero();
    assertThat(graded.out()).startsWith("usage: ./grade STEP FILE");
  }
}
