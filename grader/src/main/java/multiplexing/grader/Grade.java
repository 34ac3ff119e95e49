package multiplexing.grader;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * {@code ./grade STEP FILE}: runs that step's tests against FILE, compiled alone as {@code java
 * FILE} would. JDK only, so that {@code ./grade} runs it as a single source file on a fresh clone:
 * it builds the steps' tests through ./mvnw once, then hands over to {@link Report}.
 */
public final class Grade {
  static final String USAGE =
      """
      usage: ./grade STEP FILE   (grade.cmd on Windows)
        runs step STEP's tests against FILE, your EchoServer.java, instead of the step's own
        STEP: 2 to 7, or the module's name (step3-read-write-split); exit code 0 when every
        graded test passes, 1 when one fails, 2 when the step or the file will not do""";

  /** Written once ./grade has built what it runs; a source newer than it builds again. */
  static final String STAMP = "grader/target/grader-built.stamp";

  private static final Pattern STEP = Pattern.compile("<module>(step\\d+-[a-z0-9-]+)</module>");

  public static void main(String[] args) {
    Locale.setDefault(Locale.ENGLISH); // the compiler's errors, as the pages quote them
    Path root = Path.of(System.getProperty("grade.root", ".")).toAbsolutePath().normalize();
    System.exit(grade(root, args, System.out, System.err));
  }

  /** Grades, printing the report on {@code out} and a bad input's one line on {@code err}. */
  static int grade(Path root, String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && args[0].matches("--help|-h")) {
      out.println(USAGE);
      return 0;
    }
    // A folder of this run's own, so that two grades at once do not overwrite each other's.
    Path classes = root.resolve("grader/target/grade/run-" + ProcessHandle.current().pid());
    try {
      if (args.length != 2) {
        throw new BadInput("give a step and a file, as in ./grade 3 mine/step3/EchoServer.java");
      }
      String step = step(root, args[0]);
      compile(args[1], classes);
      build(root, out);
      List<URL> jars =
          new ArrayList<>(List.of(root.resolve("grader/target/classes").toUri().toURL()));
      for (String jar :
          Files.readString(root.resolve("grader/target/runtime-classpath.txt"))
              .split(File.pathSeparator)) {
        jars.add(Path.of(jar.strip()).toUri().toURL());
      }
      var junit =
          new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
      var report = Class.forName(Grade.class.getPackageName() + ".Report", true, junit);
      var types =
          new Class<?>[] {Path.class, String.class, Path.class, String.class, PrintStream.class};
      return (Integer)
          report.getMethod("grade", types).invoke(null, root, step, classes, args[1], out);
    } catch (BadInput e) {
      err.println("grade: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      err.println("grade: could not run the tests (" + e + "); ./mvnw -B verify shows why");
      return 2;
    } finally {
      delete(classes);
    }
  }

  /** A step or a file that will not do, or a build that failed: one line, and exit code 2. */
  static final class BadInput extends Exception {
    private static final long serialVersionUID = 1L;

    BadInput(String message) {
      super(message);
    }
  }

  /** The step modules the root pom lists, ordered by number. */
  static List<String> steps(Path root) throws IOException {
    String pom = Files.readString(root.resolve("pom.xml"));
    return STEP.matcher(pom)
        .results()
        .map(m -> m.group(1))
        .sorted(Comparator.comparingInt(Grade::number))
        .toList();
  }

  static int number(String step) {
    return Integer.parseInt(step.substring(4, step.indexOf('-')));
  }

  /** The module of "3" or "step3-read-write-split": a step the exercises rebuild, 2 on. */
  static String step(Path root, String name) throws IOException, BadInput {
    List<String> exercises = steps(root).stream().filter(s -> number(s) >= 2).toList();
    for (String step : exercises) {
      if (name.equals(step) || name.equals(String.valueOf(number(step)))) {
        return step;
      }
    }
    String list =
        exercises.stream().map(s -> number(s) + " (" + s + ")").collect(Collectors.joining(", "));
    throw new BadInput("no step '" + name + "' to grade; the steps are " + list);
  }

  /**
   * Compiles the file alone, as {@code java FILE} would; a compiler error is the first it gives,
   * with its file and line. Then the class must be a public multiplexing.EchoServer with what the
   * tests call.
   */
  static void compile(String file, Path classes) throws IOException, BadInput {
    if (!Files.isRegularFile(Path.of(file))) {
      boolean folder = Files.isDirectory(Path.of(file));
      throw new BadInput(
          folder
              ? file + " is a folder: give the path of your EchoServer.java in it"
              : "no such file: " + file);
    }
    delete(classes);
    String to = Files.createDirectories(classes).toString();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    // With the class path (and so the source path) an empty folder, javac sees no other source.
    String[] options = {"-d", to, "-cp", to, "-proc:none", "-encoding", "UTF-8", file};
    if (ToolProvider.getSystemJavaCompiler().run(null, null, errors, options) != 0) {
      Stream<String> lines = errors.toString().lines().filter(line -> line.contains(": error: "));
      throw new BadInput(lines.findFirst().orElse(file + " does not compile"));
    }
    URL[] url = {classes.toUri().toURL()};
    try (URLClassLoader loader = new URLClassLoader(url, ClassLoader.getPlatformClassLoader())) {
      Class<?> server = Class.forName("multiplexing.EchoServer", false, loader);
      List<String> missing = new ArrayList<>(List.of("launch", "port", "run", "close"));
      for (var method : server.getDeclaredMethods()) {
        if (method.getParameterCount() == (method.getName().equals("launch") ? 3 : 0)) {
          missing.remove(method.getName());
        }
      }
      if (!missing.isEmpty()) {
        String how =
            "the tests start and stop the server through launch(args, out, err), port(), run() and close()";
        throw new BadInput(file + " lacks " + String.join(", ", missing) + ": " + how);
      } else if (!Modifier.isPublic(server.getModifiers())) {
        throw new BadInput(
            file + ": make the class public, as every step's is: the tests call its methods");
      }
    } catch (ClassNotFoundException e) {
      throw new BadInput(
          file + " declares no class multiplexing.EchoServer: keep the package and the name");
    } catch (LinkageError e) {
      throw new BadInput(file + " compiled, but its class does not load: " + e);
    }
  }

  /** Builds the tests through ./mvnw if never built, or a source changed since: saying so, once. */
  static void build(Path root, PrintStream out) throws IOException, InterruptedException, BadInput {
    List<String> sources =
        new ArrayList<>(
            List.of(
                "pom.xml", "testkit/pom.xml", "testkit/src", "grader/pom.xml", "grader/src/main"));
    for (String step : steps(root)) {
      sources.addAll(List.of(step + "/pom.xml", step + "/src/test"));
    }
    long newest = 0;
    for (String source : sources) {
      try (Stream<Path> files = Files.walk(root.resolve(source))) {
        newest = Math.max(newest, files.mapToLong(p -> p.toFile().lastModified()).max().orElse(0));
      }
    }
    File stamp = root.resolve(STAMP).toFile();
    if (newest < stamp.lastModified()) {
      return;
    }
    out.println(
        "grade: building the steps' tests first (./mvnw -q -B test-compile -pl grader -am), once");
    boolean windows = File.separatorChar == '\\';
    List<String> command =
        new ArrayList<>(windows ? List.of("cmd", "/c", "mvnw.cmd") : List.of("sh", "./mvnw"));
    command.addAll(List.of("-q", "-B", "test-compile", "-pl", "grader", "-am"));
    if (new ProcessBuilder(command).directory(root.toFile()).inheritIO().start().waitFor() != 0) {
      throw new BadInput("the build failed (its errors are above); ./mvnw -B verify shows more");
    }
    Files.writeString(stamp.toPath(), "");
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // None yet; or left in grader/target, which the next clean removes.
    }
  }
}
