package multiplexing.grader;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * {@code ./grade STEP FILE}: compiles a student's EchoServer.java on its own, as {@code java FILE}
 * would, and runs that step's contract and lesson tests against it instead of the step's own
 * server. It uses the JDK alone, so that {@code ./grade} runs it as a single source file on a fresh
 * clone; the first run builds the steps' tests through {@code ./mvnw}, and {@link Report} runs
 * them.
 */
public final class Grade {
  static final int ALL_PASSED = 0;
  static final int SOME_FAILED = 1;
  static final int BAD_INPUT = 2;

  static final String USAGE =
      """
      usage: ./grade STEP FILE   (grade.cmd on Windows)
        runs step STEP's tests against FILE, your EchoServer.java, instead of the step's own
        STEP: 2 to 7, or the module's name (step3-read-write-split); exit code 0 when every
        graded test passes, 1 when one fails, 2 when the step or the file will not do""";

  private static final Pattern STEP = Pattern.compile("<module>(step(\\d+)-[a-z0-9-]+)</module>");
  // Step 1 is the problem the course starts from: the exercises rebuild steps 2 to 7.
  private static final int FIRST_EXERCISE = 2;

  private Grade() {}

  public static void main(String[] args) {
    Path root = root();
    System.exit(grade(root, args, System.out, System.err));
  }

  /** Grades, printing the report on {@code out} and a bad input's one line on {@code err}. */
  static int grade(Path root, String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && List.of("--help", "-h").contains(args[0])) {
      out.println(USAGE);
      return ALL_PASSED;
    }
    try {
      if (args.length != 2) {
        throw new BadInput("give a step and a file, as in ./grade 3 mine/step3/EchoServer.java");
      }
      String step = step(root, args[0]);
      Path file = file(args[1]);
      Path classes = classesOfThisRun(root);
      compile(file, args[1], classes);
      checkShape(classes, args[1]);
      build(root, out);
      return run(root, step, classes, args[1], out);
    } catch (BadInput e) {
      err.println("grade: " + e.getMessage());
      return BAD_INPUT;
    }
  }

  /** A step or a file that will not do, or a build that failed: one line, and exit code 2. */
  static final class BadInput extends Exception {
    private static final long serialVersionUID = 1L;

    BadInput(String message) {
      super(message);
    }
  }

  /**
   * Where this run compiles the file: a folder of its own, so that two grades at once do not
   * overwrite each other's classes. Folders of runs that have ended are deleted first.
   */
  static Path classesOfThisRun(Path root) {
    Path runs = root.resolve("grader/target/grade");
    if (Files.isDirectory(runs)) {
      try (Stream<Path> list = Files.list(runs)) {
        for (Path run : list.toList()) {
          String name = run.getFileName().toString();
          if (name.matches("run-\\d+")
              && ProcessHandle.of(Long.parseLong(name.substring(4))).isEmpty()) {
            deleteTree(run);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return runs.resolve("run-" + ProcessHandle.current().pid()).resolve("classes");
  }

  /** The step modules the root pom lists, ordered by number. */
  static List<String> steps(Path root) {
    List<String> steps = new ArrayList<>();
    Matcher m = STEP.matcher(read(root.resolve("pom.xml")));
    while (m.find()) {
      steps.add(m.group(1));
    }
    steps.sort(Comparator.comparingInt(Grade::number));
    return steps;
  }

  static int number(String step) {
    return Integer.parseInt(step.substring(4, step.indexOf('-')));
  }

  /** The module of "3" or "step3-read-write-split", if it is one the exercises rebuild. */
  static String step(Path root, String name) throws BadInput {
    List<String> steps = steps(root);
    List<String> exercises = steps.stream().filter(s -> number(s) >= FIRST_EXERCISE).toList();
    for (String step : steps) {
      if (name.equals(step) || name.equals(String.valueOf(number(step)))) {
        if (!exercises.contains(step)) {
          break;
        }
        return step;
      }
    }
    StringBuilder list = new StringBuilder();
    for (String step : exercises) {
      list.append(list.length() == 0 ? "" : ", ").append(number(step)).append(" (").append(step);
      list.append(')');
    }
    return fail("no step '" + name + "' to grade; the steps are " + list);
  }

  private static Path file(String name) throws BadInput {
    Path file = Path.of(name);
    if (Files.isDirectory(file)) {
      return fail(name + " is a folder: give the path of your EchoServer.java in it");
    }
    if (!Files.isRegularFile(file)) {
      return fail("no such file: " + name);
    }
    return file;
  }

  /**
   * Compiles the file alone, as {@code java FILE} would: nothing else on the class path or the
   * source path. A compiler error is the line it gives first, with the file and line.
   */
  static void compile(Path file, String shown, Path classes) throws BadInput {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      fail("this Java has no compiler: run ./grade with a JDK, not a JRE");
    }
    deleteTree(classes);
    try {
      Files.createDirectories(classes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ENGLISH, StandardCharsets.UTF_8)) {
      List<String> options =
          List.of(
              "-d",
              classes.toString(),
              "-cp",
              classes.toString(),
              "-sourcepath",
              classes.toString(),
              "-implicit:none",
              "-proc:none",
              "-encoding",
              "UTF-8");
      boolean compiled =
          javac
              .getTask(
                  new StringWriter(),
                  files,
                  diagnostics,
                  options,
                  null,
                  files.getJavaFileObjects(file))
              .call();
      if (!compiled) {
        Diagnostic<? extends JavaFileObject> first =
            diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .findFirst()
                .orElseThrow();
        fail(
            shown
                + ":"
                + first.getLineNumber()
                + ": error: "
                + first.getMessage(Locale.ENGLISH).lines().findFirst().orElse(""));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file must declare multiplexing.EchoServer, with what the tests call and nothing less. */
  static void checkShape(Path classes, String shown) throws BadInput {
    if (!Files.isRegularFile(classes.resolve("multiplexing/EchoServer.class"))) {
      String declared;
      try (Stream<Path> walk = Files.walk(classes)) {
        declared =
            walk.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$"))
                .map(p -> classes.relativize(p).toString().replace(".class", ""))
                .map(p -> p.replace('\\', '.').replace('/', '.'))
                .sorted()
                .findFirst()
                .orElse("no class");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      fail(
          shown
              + " declares "
              + declared
              + ", not multiplexing.EchoServer: keep the package and the name");
    }
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> server = Class.forName("multiplexing.EchoServer", false, loader);
      List<String> missing = new ArrayList<>();
      if (!has(server, "launch", true, String[].class, PrintStream.class, PrintStream.class)) {
        missing.add("static launch(String[], PrintStream, PrintStream)");
      }
      for (String method : List.of("port", "run", "close")) {
        if (!has(server, method, false)) {
          missing.add("public " + method + "()");
        }
      }
      if (!missing.isEmpty()) {
        fail(
            shown
                + " lacks "
                + String.join(", ", missing)
                + ": the tests start and stop the server through them, as every step has them");
      }
      if (!Modifier.isPublic(server.getModifiers())) {
        fail(shown + ": make the class public, as every step's is: the tests call its methods");
      }
    } catch (IOException | ClassNotFoundException | LinkageError e) {
      fail(shown + " compiled, but its class does not load: " + e);
    }
  }

  private static boolean has(Class<?> type, String name, boolean isStatic, Class<?>... params) {
    try {
      Method method =
          isStatic ? type.getDeclaredMethod(name, params) : type.getMethod(name, params);
      return Modifier.isStatic(method.getModifiers()) == isStatic;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** Where ./grade put the classes and jar list it runs from, once built. */
  static final String STAMP = "grader/target/grader-built.stamp";

  static final String CLASSPATH = "grader/target/runtime-classpath.txt";

  // What the tests a grade runs are built from: if any is newer than the last build, build again.
  private static final List<String> SOURCES =
      List.of("pom.xml", "testkit", "grader/pom.xml", "grader/src/main");

  /**
   * Builds the steps' tests, the testkit and the grader through ./mvnw, if they were never built or
   * their sources changed since: on a fresh clone, once, and saying so on one line.
   */
  static void build(Path root, PrintStream out) throws BadInput {
    Path stamp = root.resolve(STAMP);
    if (Files.isRegularFile(stamp)
        && Files.isRegularFile(root.resolve(CLASSPATH))
        && !changedSince(root, stamp)) {
      return;
    }
    boolean windows = System.getProperty("os.name").startsWith("Windows");
    List<String> command = new ArrayList<>();
    if (windows) {
      command.addAll(List.of("cmd", "/c", "mvnw.cmd"));
    } else {
      command.addAll(List.of("sh", "./mvnw"));
    }
    command.addAll(List.of("-q", "-B", "test-compile", "-pl", "grader", "-am"));
    out.println(
        "grade: building the steps' tests first (./mvnw -q -B test-compile -pl grader -am), once");
    try {
      Process maven = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start();
      if (maven.waitFor() != 0) {
        fail("the build failed (its errors are above); ./mvnw -B verify shows more");
      }
      Files.createDirectories(stamp.getParent());
      Files.writeString(stamp, "");
    } catch (IOException e) {
      fail("could not run ./mvnw: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted while building");
    }
  }

  private static boolean changedSince(Path root, Path stamp) {
    try {
      FileTime built = Files.getLastModifiedTime(stamp);
      List<Path> sources = new ArrayList<>();
      for (String source : SOURCES) {
        sources.add(root.resolve(source));
      }
      for (String step : steps(root)) {
        sources.add(root.resolve(step).resolve("pom.xml"));
        sources.add(root.resolve(step).resolve("src/test"));
      }
      for (Path source : sources) {
        if (!Files.exists(source)) {
          continue;
        }
        try (Stream<Path> walk = Files.walk(source)) {
          if (walk.filter(p -> !inTarget(source, p)).anyMatch(p -> newer(p, built))) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static boolean inTarget(Path source, Path file) {
    for (Path part : source.relativize(file)) {
      if (part.toString().equals("target")) {
        return true;
      }
    }
    return false;
  }

  private static boolean newer(Path file, FileTime than) {
    try {
      return Files.isRegularFile(file) && Files.getLastModifiedTime(file).compareTo(than) > 0;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Runs the report in a class loader of the grader's classes and the jars the build listed: the
   * JUnit launcher, the testkit and the libraries the tests use.
   */
  private static int run(Path root, String step, Path classes, String shown, PrintStream out)
      throws BadInput {
    List<URL> urls = new ArrayList<>();
    try {
      urls.add(root.resolve("grader/target/classes").toUri().toURL());
      for (String jar : read(root.resolve(CLASSPATH)).trim().split(java.io.File.pathSeparator)) {
        if (!jar.isBlank()) {
          urls.add(Path.of(jar).toUri().toURL());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      thread.setContextClassLoader(loader);
      Method report =
          Class.forName("multiplexing.grader.Report", true, loader)
              .getMethod(
                  "grade", Path.class, String.class, Path.class, String.class, PrintStream.class);
      return (Integer) report.invoke(null, root, step, classes, shown, out);
    } catch (ReflectiveOperationException | IOException e) {
      return fail("could not run the tests (" + e + "); ./mvnw -B verify shows why");
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  /** The repository: where ./grade says, else the nearest folder above with mvnw and grader/. */
  static Path root() {
    String given = System.getProperty("grade.root");
    if (given != null) {
      return Path.of(given).toAbsolutePath().normalize();
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("mvnw")) && Files.isDirectory(d.resolve("grader"))) {
        return d;
      }
    }
    throw new IllegalStateException("run ./grade from the repository");
  }

  private static <T> T fail(String message) throws BadInput {
    throw new BadInput(message);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
