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
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * {@code ./grade STEP FILE}. JDK only, so that it runs as a single source file on a fresh clone: it
 * builds the steps' tests through ./mvnw once, then hands FILE's classes over to {@link Report}.
 * Bad input is an {@link IllegalArgumentException}: one line, and exit code 2.
 */
public final class Grade {
  static final String USAGE =
      "usage: ./grade STEP FILE, as in ./grade 3 mine/step3/EchoServer.java (STEP: 2 to 7; exit 0 all passed, 1 a test failed, 2 bad input)";

  /** Written once ./grade has built what it runs; a source newer than it builds again. */
  static final String STAMP = "grader/target/grader-built.stamp";

  private static final Pattern STEP = Pattern.compile("<module>(step\\d+-[a-z0-9-]+)</module>");

  public static void main(String[] args) {
    Locale.setDefault(Locale.ENGLISH); // the compiler's errors, as the pages quote them
    Path root = Path.of(System.getProperty("grade.root", ".")).toAbsolutePath().normalize();
    System.exit(grade(root, args, System.out, System.err));
  }

  static int grade(Path root, String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && args[0].matches("--help|-h")) {
      out.println(USAGE);
      return 0;
    }
    // A folder of this run's own, so that two grades at once do not overwrite each other's.
    Path classes = root.resolve("grader/target/grade/run-" + ProcessHandle.current().pid());
    try {
      if (args.length != 2) {
        throw new IllegalArgumentException(USAGE);
      }
      String step = step(root, args[0]);
      compile(args[1], classes);
      build(root, out);
      // The file's classes first: the step's tests load multiplexing.EchoServer from them.
      Path target = root.resolve("grader/target");
      List<URL> urls = new ArrayList<>();
      for (Path path :
          List.of(
              classes, root.resolve(step + "/target/test-classes"), target.resolve("classes"))) {
        urls.add(path.toUri().toURL());
      }
      for (String jar :
          Files.readString(target.resolve("runtime-classpath.txt")).split(File.pathSeparator)) {
        urls.add(Path.of(jar.strip()).toUri().toURL());
      }
      var junit =
          new URLClassLoader(
              "graded", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
      Thread.currentThread().setContextClassLoader(junit);
      var report = Class.forName(Grade.class.getPackageName() + ".Report", true, junit);
      var types = new Class<?>[] {Path.class, String.class, String.class, PrintStream.class};
      return (Integer) report.getMethod("grade", types).invoke(null, root, step, args[1], out);
    } catch (IllegalArgumentException e) {
      err.println("grade: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      err.println("grade: could not run the tests (" + e + "); ./mvnw -B verify shows why");
      return 2;
    } finally {
      delete(classes);
    }
  }

  /** The step modules the root pom lists, ordered by number. */
  static List<String> steps(Path root) throws IOException {
    return STEP.matcher(Files.readString(root.resolve("pom.xml")))
        .results()
        .map(m -> m.group(1))
        .sorted(Comparator.comparingInt(Grade::number))
        .toList();
  }

  static int number(String step) {
    return Integer.parseInt(step.substring(4, step.indexOf('-')));
  }

  /** The module of "3" or "step3-read-write-split": a step the exercises rebuild, 2 on. */
  static String step(Path root, String name) throws IOException {
    List<String> exercises = steps(root).stream().filter(s -> number(s) >= 2).toList();
    for (String step : exercises) {
      if (name.equals(step) || name.equals(String.valueOf(number(step)))) {
        return step;
      }
    }
    String list =
        exercises.stream().map(s -> number(s) + " (" + s + ")").collect(Collectors.joining(", "));
    throw new IllegalArgumentException("no step '" + name + "' to grade; the steps are " + list);
  }

  /**
   * Compiles the file alone, as {@code java FILE} would; a compiler error is the first it gives,
   * with its file and line. Then the class must be a public multiplexing.EchoServer with what the
   * tests call.
   */
  static void compile(String file, Path classes) throws IOException {
    if (!Files.isRegularFile(Path.of(file))) {
      throw new IllegalArgumentException(
          Files.isDirectory(Path.of(file))
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
      throw new IllegalArgumentException(lines.findFirst().orElse(file + " does not compile"));
    }
    URL[] url = {classes.toUri().toURL()};
    try (URLClassLoader loader = new URLClassLoader(url, ClassLoader.getPlatformClassLoader())) {
      Class<?> server = Class.forName("multiplexing.EchoServer", false, loader);
      List<String> missing = new ArrayList<>(List.of("launch", "port", "run", "close"));
      Arrays.stream(server.getDeclaredMethods())
          .filter(m -> m.getParameterCount() == (m.getName().equals("launch") ? 3 : 0))
          .forEach(m -> missing.remove(m.getName()));
      if (!missing.isEmpty()) {
        String calls = ": the tests call launch(args, out, err), port(), run() and close()";
        throw new IllegalArgumentException(file + " lacks " + String.join(", ", missing) + calls);
      } else if (!Modifier.isPublic(server.getModifiers())) {
        throw new IllegalArgumentException(
            file + ": make the class public, as every step's is: the tests call its methods");
      }
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          file + " declares no class multiplexing.EchoServer: keep the package and the name");
    } catch (LinkageError e) {
      throw new IllegalArgumentException(file + " compiled, but its class does not load: " + e);
    }
  }

  /** Builds the tests through ./mvnw if never built, or a source changed since: saying so, once. */
  static void build(Path root, PrintStream out) throws IOException, InterruptedException {
    List<String> sources =
        new ArrayList<>(
            List.of(
                "pom.xml", "testkit/pom.xml", "testkit/src", "grader/pom.xml", "grader/src/main"));
    steps(root).forEach(step -> sources.addAll(List.of(step + "/pom.xml", step + "/src/test")));
    long built = root.resolve(STAMP).toFile().lastModified();
    boolean stale = false;
    for (String source : sources) {
      try (Stream<Path> files = Files.walk(root.resolve(source))) {
        stale |= files.anyMatch(p -> p.toFile().lastModified() >= built);
      }
    }
    if (!stale) {
      return;
    }
    String mvnw = File.separatorChar == '\\' ? "cmd /c mvnw.cmd" : "sh ./mvnw";
    String command = mvnw + " -q -B test-compile -pl grader -am";
    out.println("grade: building the steps' tests first (" + command + "), once");
    var build = new ProcessBuilder(command.split(" ")).directory(root.toFile()).inheritIO();
    if (build.start().waitFor() != 0) {
      throw new IllegalArgumentException(
          "the build failed (its errors are above); ./mvnw -B verify shows more");
    }
    Files.writeString(root.resolve(STAMP), "");
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // None yet; or left in grader/target, which the next clean removes.
    }
  }
}
