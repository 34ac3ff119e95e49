package multiplexing.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input gets one line on standard error and exit code 2, before any test runs; help, 0. */
class GradeTest {
  private static final Path FILES = CrossStepTest.ROOT.resolve("grader/target/bad-input");
  private static final String STEPS =
      "2 (step2-select-echo), 3 (step3-read-write-split), 4 (step4-error-handling), 5"
          + " (step5-backpressure), 6 (step6-idle-timeout), 7 (step7-fast-path)";

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "none",
      textBlock =
          """
          1     | EchoServer.java | none | grade: no step '1' to grade; the steps are STEPS
          8     | EchoServer.java | none | grade: no step '8' to grade; the steps are STEPS
          step3 | EchoServer.java | none | grade: no step 'step3' to grade; the steps are STEPS
          3     | mine/nowhere/EchoServer.java | none | grade: no such file: mine/nowhere/EchoServer.java
          3     | FILES | none | grade: FILES is a folder: give the path of your EchoServer.java in it
          3     | FILES/broken/EchoServer.java | package multiplexing; class EchoServer { int port = 1 } | grade: FILES/broken/EchoServer.java:1: error: ';' expected
          3     | FILES/other/EchoServer.java | package mine; public class EchoServer {} | grade: FILES/other/EchoServer.java declares no class multiplexing.EchoServer: keep the package and the name
          3     | FILES/bare/EchoServer.java | package multiplexing; public class EchoServer { public int port() { return 0; } } | grade: FILES/bare/EchoServer.java lacks launch, run, close: the tests call launch(args, out, err), port(), run() and close()
          3     | FILES/hidden/EchoServer.java | package multiplexing; class EchoServer { static Object launch(String[] a, java.io.PrintStream o, java.io.PrintStream e) { return null; } public int port() { return 0; } public void run() {} public void close() {} } | grade: FILES/hidden/EchoServer.java: make the class public, as every step's is: the tests call its methods
          none  | none | none | grade: USAGE
          --help | none | none | USAGE
          -h    | none | none | USAGE
          """)
  void badInputGetsOneLineOnStandardErrorAndExitCodeTwo(
      String step, String file, String source, String line) throws Exception {
    String path = file == null ? null : file.replace("FILES", FILES.toString());
    Files.createDirectories(FILES);
    if (source != null) {
      Files.createDirectories(Path.of(path).getParent());
      Files.writeString(Path.of(path), source);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] args = Stream.of(step, path).filter(Objects::nonNull).toArray(String[]::new);
    int exit =
        Grade.grade(
            CrossStepTest.ROOT, args, new PrintStream(out, true), new PrintStream(err, true));
    boolean help = !line.startsWith("grade: ");
    assertThat((help ? err : out).toString()).as("the other stream").isEmpty();
    assertThat((help ? out : err).toString())
        .isEqualTo(
            line.replace("STEPS", STEPS)
                    .replace("FILES", FILES.toString())
                    .replace("USAGE", Grade.USAGE)
                + System.lineSeparator());
    assertThat(exit).as("exit code").isEqualTo(help ? 0 : 2);
  }
}
