package multiplexing.grader;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import multiplexing.testkit.Lesson;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs one step's compiled tests against a server's classes, the contract and lesson tests only,
 * and prints each as a sentence: what {@code ./grade} shows. The tests find the server beside them
 * (the testkit loads {@code multiplexing.EchoServer} from the test's class loader), so a loader of
 * the server's classes and the step's test classes is all it takes to grade another server.
 */
public final class Report {
  /** What kind a test is, by its testkit annotation (JUnit tag). */
  public enum Kind {
    LESSON,
    CONTRACT,
    WEAKNESS,
    UNTAGGED
  }

  /** How a test ended; a weakness is never run. */
  public enum Status {
    PASSED,
    FAILED,
    SKIPPED,
    NOT_GRADED
  }

  /**
   * One test: {@code id} is Class#method, with [n] for an invocation of a parameterized test;
   * {@code why} is the first of its failure or skip message, {@code failure} all of it.
   */
  public record Outcome(
      String id,
      String sentence,
      Kind kind,
      Status status,
      Duration took,
      String why,
      String hint,
      String failure) {}

  private Report() {}

  /** What ./grade runs: the report of {@code step}'s tests against these server classes. */
  public static int grade(Path root, String step, Path serverClasses, String shown, PrintStream out)
      throws IOException {
    Path testClasses = root.resolve(step).resolve("target/test-classes");
    List<String> links = Chapter.links(root, step);
    out.println("grade: step " + Grade.number(step) + "'s tests (" + step + ") against " + shown);
    out.println();
    List<Outcome> outcomes = run(testClasses, serverClasses, outcome -> print(outcome, links, out));
    long passed = outcomes.stream().filter(o -> o.status() == Status.PASSED).count();
    long failed = outcomes.stream().filter(o -> o.status() == Status.FAILED).count();
    long skipped = outcomes.stream().filter(o -> o.status() == Status.SKIPPED).count();
    Path failures = root.resolve("grader/target/grade").resolve(step + "-failures.txt");
    Files.createDirectories(failures.getParent());
    StringBuilder full = new StringBuilder();
    for (Outcome outcome : outcomes) {
      if (outcome.status() == Status.FAILED) {
        full.append(outcome.id()).append("\n").append(outcome.failure()).append("\n");
      }
    }
    Files.writeString(failures, full);
    out.println();
    if (failed > 0) {
      out.println(
          "Each failure in full: " + root.relativize(failures).toString().replace('\\', '/'));
    }
    out.println(
        passed
            + " passed, "
            + failed
            + " failed"
            + (skipped > 0 ? ", " + skipped + " skipped" : ""));
    return failed > 0 ? Grade.SOME_FAILED : Grade.ALL_PASSED;
  }

  private static void print(Outcome outcome, List<String> links, PrintStream out) {
    String kind = outcome.kind().name().toLowerCase(java.util.Locale.ROOT);
    switch (outcome.status()) {
      case PASSED -> out.println("  passed   " + pad(kind) + outcome.sentence());
      case SKIPPED -> {
        out.println("  skipped  " + pad(kind) + outcome.sentence());
        out.println("           " + pad("") + "(" + outcome.why() + ")");
      }
      case NOT_GRADED ->
          out.println(
              "  -        "
                  + pad(kind)
                  + outcome.sentence()
                  + "\n           "
                  + pad("")
                  + "not graded: this step keeps it on purpose");
      case FAILED -> {
        out.println("  FAILED   " + pad(kind) + outcome.sentence());
        String indent = "           " + pad("");
        out.println(indent + "why:  " + outcome.why());
        if (outcome.kind() == Kind.LESSON) {
          out.println(indent + "hint: " + outcome.hint());
          for (int i = 0; i < links.size(); i++) {
            out.println(indent + (i == 0 ? "read: " : "      ") + links.get(i));
          }
        }
      }
    }
  }

  private static String pad(String kind) {
    return String.format("%-10s", kind);
  }

  /** Runs the step's graded tests against the server; lists its weakness tests, unrun. */
  public static List<Outcome> run(Path testClasses, Path serverClasses) throws IOException {
    return run(testClasses, serverClasses, outcome -> {});
  }

  /** The same, handing each outcome on as soon as its test ends. */
  public static List<Outcome> run(Path testClasses, Path serverClasses, Consumer<Outcome> each)
      throws IOException {
    return run(testClasses, serverClasses, each, List.of());
  }

  /**
   * The same, for only these tests ({@code multiplexing.EchoServerTest#method}) if any are named:
   * what an answer's test runs.
   */
  public static List<Outcome> run(
      Path testClasses, Path serverClasses, Consumer<Outcome> each, List<String> only)
      throws IOException {
    if (!Files.isDirectory(testClasses)) {
      throw new IOException("no tests in " + testClasses + ": build them first");
    }
    List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    // The server's classes come first: the tests load multiplexing.EchoServer from this loader.
    try (URLClassLoader tests =
        new URLClassLoader(
            "graded",
            new URL[] {url(serverClasses), url(testClasses)},
            Report.class.getClassLoader())) {
      thread.setContextClassLoader(tests);
      Launcher launcher = LauncherFactory.create();
      TestPlan plan = launcher.discover(request(testClasses, false, only));
      for (TestIdentifier test : tests(plan)) {
        if (kind(test) == Kind.WEAKNESS) {
          Outcome outcome =
              new Outcome(
                  id(plan, test),
                  sentence(plan, test),
                  Kind.WEAKNESS,
                  Status.NOT_GRADED,
                  Duration.ZERO,
                  "",
                  "",
                  "");
          outcomes.add(outcome);
        }
      }
      List<Outcome> weaknesses = List.copyOf(outcomes);
      launcher.execute(request(testClasses, true, only), new Listener(outcomes, each));
      weaknesses.forEach(each);
    } finally {
      thread.setContextClassLoader(before);
    }
    return List.copyOf(outcomes);
  }

  private static LauncherDiscoveryRequest request(
      Path testClasses, boolean gradedOnly, List<String> only) {
    List<DiscoverySelector> selectors = new ArrayList<>();
    if (only.isEmpty()) {
      selectors.addAll(DiscoverySelectors.selectClasspathRoots(Set.of(testClasses)));
    } else {
      only.forEach(test -> selectors.add(DiscoverySelectors.selectMethod(test)));
    }
    LauncherDiscoveryRequestBuilder request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectors)
            // As the build runs them: a server that never wakes up fails its test, not the grade.
            .configurationParameter("junit.jupiter.execution.timeout.default", "60 s")
            .configurationParameter(
                "junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD")
            // What this step adds first, then what the steps before already did.
            .configurationParameter(
                "junit.jupiter.testmethod.order.default", LessonsFirst.class.getName());
    if (gradedOnly) {
      request.filters(TagFilter.excludeTags("weakness"));
    }
    return request.build();
  }

  private static URL url(Path dir) {
    try {
      return dir.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<TestIdentifier> tests(TestPlan plan) {
    List<TestIdentifier> tests = new ArrayList<>();
    for (TestIdentifier root : plan.getRoots()) {
      for (TestIdentifier each : plan.getDescendants(root)) {
        if (each.isTest()) {
          tests.add(each);
        }
      }
    }
    return tests;
  }

  static Kind kind(TestIdentifier test) {
    Set<String> tags = new java.util.HashSet<>();
    test.getTags().forEach(tag -> tags.add(tag.getName()));
    if (tags.contains("weakness")) {
      return Kind.WEAKNESS;
    }
    if (tags.contains("lesson")) {
      return Kind.LESSON;
    }
    return tags.contains("contract") ? Kind.CONTRACT : Kind.UNTAGGED;
  }

  private static Optional<MethodSource> method(TestIdentifier test) {
    return test.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast);
  }

  /** Class#method, and [n] for the nth invocation of a parameterized test. */
  static String id(TestPlan plan, TestIdentifier test) {
    String name =
        method(test)
            .map(m -> simple(m.getClassName()) + "#" + m.getMethodName())
            .orElse(test.getDisplayName());
    boolean invocation =
        plan.getParent(test)
            .flatMap(TestIdentifier::getSource)
            .filter(MethodSource.class::isInstance)
            .isPresent();
    return invocation ? name + test.getDisplayName().replaceAll("^(\\[\\d+\\]).*", "$1") : name;
  }

  private static String simple(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  /** The test's method name as a sentence; an invocation adds its arguments. */
  static String sentence(TestPlan plan, TestIdentifier test) {
    String sentence = method(test).map(m -> Sentences.of(m.getMethodName())).orElse("?");
    boolean invocation =
        plan.getParent(test)
            .flatMap(TestIdentifier::getSource)
            .filter(MethodSource.class::isInstance)
            .isPresent();
    if (invocation) {
      // "[2] args=65536" or "reset = true": the first argument, without its name.
      String shown = test.getDisplayName().replaceFirst("^\\[\\d+\\]\\s*", "");
      int comma = shown.indexOf(", ");
      shown = comma < 0 ? shown : shown.substring(0, comma);
      shown = shown.replaceFirst("^\\w+=", "");
      sentence += " (" + shown + ")";
    }
    return sentence;
  }

  /** The {@code @Lesson} text on the test's method, or on its class. */
  static String hint(TestIdentifier test) {
    return method(test)
        .map(
            m -> {
              Method method = m.getJavaMethod();
              Lesson lesson = method.getAnnotation(Lesson.class);
              for (Class<?> c = m.getJavaClass();
                  lesson == null && c != null;
                  c = c.getSuperclass()) {
                lesson = c.getAnnotation(Lesson.class);
              }
              return lesson == null ? "" : lesson.value();
            })
        .orElse("");
  }

  private static final class Listener implements TestExecutionListener {
    private final List<Outcome> outcomes;
    private final Consumer<Outcome> each;
    private final Map<String, Long> started = new HashMap<>();
    private TestPlan plan;

    Listener(List<Outcome> outcomes, Consumer<Outcome> each) {
      this.outcomes = outcomes;
      this.each = each;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
      plan = testPlan;
    }

    @Override
    public synchronized void executionStarted(TestIdentifier test) {
      started.put(test.getUniqueId(), System.nanoTime());
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier test, String reason) {
      if (test.isTest()) {
        end(test, Status.SKIPPED, Duration.ZERO, reason, "");
      }
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
      Long start = started.remove(test.getUniqueId());
      Duration took = Duration.ofNanos(start == null ? 0 : System.nanoTime() - start);
      Throwable thrown = result.getThrowable().orElse(null);
      if (!test.isTest()) {
        // A class whose setup failed fails every test in it: say so once, on a line of its own.
        if (result.getStatus() == TestExecutionResult.Status.FAILED && thrown != null) {
          end(test, Status.FAILED, took, firstLine(thrown), full(thrown));
        }
        return;
      }
      switch (result.getStatus()) {
        case SUCCESSFUL -> end(test, Status.PASSED, took, "", "");
        case ABORTED -> end(test, Status.SKIPPED, took, firstLine(thrown), "");
        case FAILED -> end(test, Status.FAILED, took, firstLine(thrown), full(thrown));
      }
    }

    private void end(TestIdentifier test, Status status, Duration took, String why, String full) {
      Outcome outcome =
          new Outcome(
              id(plan, test),
              test.isTest() ? sentence(plan, test) : test.getDisplayName(),
              kind(test),
              status,
              took,
              why,
              status == Status.FAILED ? hint(test) : "",
              full);
      outcomes.add(outcome);
      each.accept(outcome);
    }
  }

  /** The gist of a failure, on one line: its message with the whitespace folded, cut short. */
  static String firstLine(Throwable thrown) {
    if (thrown == null) {
      return "";
    }
    Throwable gist = thrown;
    // What the test wrapped (an exception in the server, the testkit's "did not start") says more.
    while (gist.getMessage() == null && gist.getCause() != null) {
      gist = gist.getCause();
    }
    StringBuilder message = new StringBuilder();
    // AssertJ indents the values it shows: a long one (a whole log) becomes […].
    for (String line : (gist.getMessage() == null ? "" : gist.getMessage()).split("\\R")) {
      boolean value = line.startsWith(" ") && !line.isBlank();
      message.append(' ').append(value && line.length() > 100 ? "[…]" : line.trim());
    }
    String folded = message.toString().replaceAll("\\s+", " ").trim();
    String why = folded.isEmpty() ? simple(gist.getClass().getName()) : folded;
    return why.length() > 150 ? why.substring(0, 149) + "…" : why;
  }

  private static String full(Throwable thrown) {
    if (thrown == null) {
      return "";
    }
    StringWriter text = new StringWriter();
    thrown.printStackTrace(new PrintWriter(text));
    return text.toString();
  }
}
