package multiplexing.grader;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import multiplexing.testkit.Lesson;
import org.junit.jupiter.api.MethodDescriptor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * What ./grade runs once it has compiled FILE: the step's compiled tests against FILE's classes,
 * each test said in a sentence as it ends. This module's junit-platform.properties sets how they
 * run.
 */
public final class Report {
  private static final String NOT_GRADED = "not graded: this step keeps it on purpose";

  public static int grade(Path root, String step, String shown, PrintStream out)
      throws IOException {
    Path tests = root.resolve(step + "/target/test-classes");
    if (!Files.isDirectory(tests)) {
      throw new IOException("no tests in " + tests + ": build them first");
    }
    out.printf("grade: step %d's tests (%s) against %s%n%n", Grade.number(step), step, shown);
    List<String> links = Chapter.links(root, step);
    int[] counts = new int[3]; // passed, skipped, failed: as JUnit's SUCCESSFUL, ABORTED, FAILED
    Map<String, Long> started = new HashMap<>();
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionStarted(TestIdentifier test) {
            started.put(test.getUniqueId(), System.nanoTime());
          }

          @Override
          public void executionSkipped(TestIdentifier test, String why) {
            if (test.isTest()) {
              boolean weakness = why.equals(NOT_GRADED);
              counts[1] += weakness ? 0 : 1;
              print(test, weakness ? "-" : "skipped", "", weakness ? why : "(" + why + ")");
            }
          }

          @Override
          public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            int status = result.getStatus().ordinal();
            // A class whose setup failed fails every test in it: said once, on a line of its own.
            if (test.isTest() || status == 2) {
              counts[status]++;
              double seconds = (System.nanoTime() - started.get(test.getUniqueId())) / 1e9;
              String took = String.format(Locale.ROOT, " (%.1f s)", seconds);
              String why = result.getThrowable().map(Report::why).orElse("");
              switch (status) {
                case 0 -> print(test, "passed", "", "");
                case 1 -> print(test, "skipped", "", "(" + why + ")");
                default -> print(test, "FAILED", took, "why:  " + why);
              }
            }
          }

          private void print(TestIdentifier test, String status, String took, String line) {
            String[] described = describe(test);
            out.printf("  %-9s%-10s%s%s%n", status, described[0], described[1], took);
            List<String> more = new ArrayList<>(line.isEmpty() ? List.of() : List.of(line));
            if (status.equals("FAILED") && described[0].equals("lesson")) {
              more.add("hint: " + described[2]);
              links.forEach(link -> more.add((more.size() == 2 ? "read: " : "      ") + link));
            }
            more.forEach(extra -> out.println(" ".repeat(21) + extra));
          }
        };
    // The server's classes, the tests' and this module's: all on the class loader Grade made.
    var selector = DiscoverySelectors.selectClasspathRoots(Set.of(tests));
    LauncherFactory.create()
        .execute(LauncherDiscoveryRequestBuilder.request().selectors(selector).build(), listener);
    out.printf(
        "%n%d passed, %d failed%s%n",
        counts[0], counts[2], counts[1] > 0 ? ", " + counts[1] + " skipped" : "");
    return counts[2] > 0 ? 1 : 0;
  }

  /** A test's tag, its sentence ("(65536)" added for an invocation) and its lesson's hint. */
  private static String[] describe(TestIdentifier test) {
    String kind =
        Stream.of("weakness", "lesson", "contract")
            .filter(tag -> test.getTags().contains(TestTag.create(tag)))
            .findFirst()
            .orElse("untagged");
    if (!(test.getSource().orElse(null) instanceof MethodSource method)) {
      return new String[] {kind, test.getDisplayName(), ""};
    }
    String sentence = Sentences.of(method.getMethodName());
    if (test.getUniqueIdObject().getLastSegment().getType().endsWith("-invocation")) {
      // "[2] args=65536" or "reset = true": the first argument, without its name.
      String shown =
          test.getDisplayName().replaceFirst("^\\[\\d+\\] ", "").replaceFirst(", .*", "");
      sentence += " (" + shown.replaceFirst("^\\w+=", "") + ")";
    }
    Lesson lesson = method.getJavaMethod().getAnnotation(Lesson.class);
    lesson = lesson != null ? lesson : method.getJavaClass().getAnnotation(Lesson.class);
    return new String[] {kind, sentence, lesson == null ? "" : lesson.value()};
  }

  /** The gist of a failure on one line: what the test wrapped, if that says more; cut short. */
  static String why(Throwable thrown) {
    while (thrown.getMessage() == null && thrown.getCause() != null) {
      thrown = thrown.getCause();
    }
    String message = thrown.getMessage();
    String why =
        message == null
            ? thrown.getClass().getSimpleName()
            : message.replaceAll("\\s+", " ").strip();
    return why.length() > 150 ? why.substring(0, 149) + "…" : why;
  }

  /** Runs a class's lesson tests first, then the others, each by name. */
  public static final class LessonsFirst implements MethodOrderer {
    @Override
    public void orderMethods(MethodOrdererContext context) {
      Comparator<MethodDescriptor> lessons =
          Comparator.comparing(m -> !m.isAnnotated(Lesson.class));
      context.getMethodDescriptors().sort(lessons.thenComparing(m -> m.getMethod().getName()));
    }
  }

  /** Skips a weakness test unrun, so that a student who also fixed that is not failed for it. */
  public static final class NotGraded implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getTags().contains("weakness")
          ? ConditionEvaluationResult.disabled(NOT_GRADED)
          : ConditionEvaluationResult.enabled("");
    }
  }
}
