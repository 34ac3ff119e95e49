package multiplexing.grader;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import multiplexing.testkit.Contract;
import multiplexing.testkit.Lesson;
import org.junit.jupiter.api.MethodDescriptor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a step's compiled tests against a server's classes, and says how each went in a sentence.
 */
public final class Report {
  /**
   * How a test ended, in the order of JUnit's SUCCESSFUL, ABORTED, FAILED; a weakness never runs.
   */
  public enum Status {
    PASSED,
    SKIPPED,
    FAILED,
    NOT_GRADED
  }

  /** A test: Class#method ([n] for an invocation), its tag, how it ended, and why. */
  public record Outcome(
      String id,
      String sentence,
      String kind,
      Status status,
      Duration took,
      String why,
      String hint) {}

  private static final String NOT_GRADED = "not graded: this step keeps it on purpose";

  /** What ./grade runs: {@code step}'s tests against these server classes, printed. */
  public static int grade(Path root, String step, Path server, String shown, PrintStream out)
      throws IOException {
    out.printf("grade: step %d's tests (%s) against %s%n%n", Grade.number(step), step, shown);
    List<String> links = Chapter.links(root, step);
    Map<Status, Integer> counts =
        new EnumMap<>(Map.of(Status.PASSED, 0, Status.FAILED, 0, Status.SKIPPED, 0));
    Path tests = root.resolve(step + "/target/test-classes");
    for (Outcome test : run(tests, server, List.of(), o -> print(o, links, out))) {
      counts.merge(test.status(), 1, Integer::sum);
    }
    int skipped = counts.get(Status.SKIPPED);
    String also = skipped > 0 ? ", " + skipped + " skipped" : "";
    out.printf(
        "%n%d passed, %d failed%s%n", counts.get(Status.PASSED), counts.get(Status.FAILED), also);
    return counts.get(Status.FAILED) > 0 ? 1 : 0;
  }

  private static void print(Outcome test, List<String> links, PrintStream out) {
    String status = List.of("passed", "skipped", "FAILED", "-").get(test.status().ordinal());
    out.printf("  %-9s%-10s%s%n", status, test.kind(), test.sentence());
    List<String> more = new ArrayList<>();
    switch (test.status()) {
      case PASSED -> {}
      case SKIPPED -> more.add("(" + test.why() + ")");
      case NOT_GRADED -> more.add(NOT_GRADED);
      case FAILED -> {
        more.add("why:  " + test.why());
        if (test.kind().equals("lesson")) {
          more.add("hint: " + test.hint());
          links.forEach(link -> more.add((more.size() == 2 ? "read: " : "      ") + link));
        }
      }
    }
    more.forEach(line -> out.println(" ".repeat(21) + line));
  }

  /**
   * Runs the tests in {@code testClasses}, or only these ({@code multiplexing.EchoServerTest#m}),
   * against the server's classes, handing on each outcome as its test ends. The tests load {@code
   * multiplexing.EchoServer} from their own class loader: the server's classes come first in it.
   * This module's junit-platform.properties sets how they run.
   */
  public static List<Outcome> run(
      Path testClasses, Path server, List<String> only, Consumer<Outcome> each) throws IOException {
    if (!Files.isDirectory(testClasses)) {
      throw new IOException("no tests in " + testClasses + ": build them first");
    }
    List<Outcome> outcomes = new ArrayList<>();
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
              end(test, why.equals(NOT_GRADED) ? Status.NOT_GRADED : Status.SKIPPED, why);
            }
          }

          @Override
          public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            // A class whose setup failed fails every test in it: said once, on a line of its own.
            if (test.isTest() || result.getStatus() == TestExecutionResult.Status.FAILED) {
              Status status = Status.values()[result.getStatus().ordinal()];
              end(test, status, result.getThrowable().map(Report::why).orElse(""));
            }
          }

          private void end(TestIdentifier test, Status status, String why) {
            long start = started.getOrDefault(test.getUniqueId(), System.nanoTime());
            Outcome outcome =
                outcome(test, status, Duration.ofNanos(System.nanoTime() - start), why);
            outcomes.add(outcome);
            each.accept(outcome);
          }
        };
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    URL[] urls = {server.toUri().toURL(), testClasses.toUri().toURL()};
    try (URLClassLoader tests = new URLClassLoader("graded", urls, Report.class.getClassLoader())) {
      thread.setContextClassLoader(tests);
      List<? extends DiscoverySelector> selectors =
          only.isEmpty()
              ? DiscoverySelectors.selectClasspathRoots(Set.of(testClasses))
              : only.stream().map(DiscoverySelectors::selectMethod).toList();
      LauncherFactory.create()
          .execute(
              LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(), listener);
    } finally {
      thread.setContextClassLoader(before);
    }
    return outcomes;
  }

  private static Outcome outcome(TestIdentifier test, Status status, Duration took, String why) {
    Stream<String> tags = Stream.of("weakness", "lesson", "contract");
    String kind =
        tags.filter(tag -> test.getTags().contains(TestTag.create(tag)))
            .findFirst()
            .orElse("untagged");
    if (!(test.getSource().orElse(null) instanceof MethodSource method)) {
      return new Outcome(test.getDisplayName(), test.getDisplayName(), kind, status, took, why, "");
    }
    String id = method.getClassName().replaceFirst(".*\\.", "") + "#" + method.getMethodName();
    String sentence = Sentences.of(method.getMethodName());
    var segment = test.getUniqueIdObject().getLastSegment();
    if (segment.getType().endsWith("-invocation")) {
      // "[2] args=65536" or "reset = true": the first argument, without its name.
      String shown =
          test.getDisplayName().replaceFirst("^\\[\\d+\\] ", "").replaceFirst(", .*", "");
      id += "[" + segment.getValue().substring(1) + "]";
      sentence += " (" + shown.replaceFirst("^\\w+=", "") + ")";
    }
    Lesson lesson = method.getJavaMethod().getAnnotation(Lesson.class);
    lesson = lesson != null ? lesson : method.getJavaClass().getAnnotation(Lesson.class);
    return new Outcome(id, sentence, kind, status, took, why, lesson == null ? "" : lesson.value());
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

  /** Runs a class's lesson tests first, then its contract tests, each by name. */
  public static final class LessonsFirst implements MethodOrderer {
    @Override
    public void orderMethods(MethodOrdererContext context) {
      context
          .getMethodDescriptors()
          .sort(
              Comparator.comparingInt(LessonsFirst::rank)
                  .thenComparing(m -> m.getMethod().getName()));
    }

    private static int rank(MethodDescriptor test) {
      return test.isAnnotated(Lesson.class) ? 0 : test.isAnnotated(Contract.class) ? 1 : 2;
    }
  }

  /** Skips a weakness test unrun, so that a student who also fixed that is not failed for it. */
  public static final class NotGraded implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      boolean weakness = context.getTags().contains("weakness");
      return weakness
          ? ConditionEvaluationResult.disabled(NOT_GRADED)
          : ConditionEvaluationResult.enabled("");
    }
  }
}
