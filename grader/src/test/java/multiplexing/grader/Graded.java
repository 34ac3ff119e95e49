package multiplexing.grader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import multiplexing.testkit.ChildServer;

/** What the grader's tests share: the repository, servers compiled as ./grade does, ./grade run. */
final class Graded {
  static final Path ROOT =
      Path.of(System.getProperty("grader.root", "..")).toAbsolutePath().normalize();
  static final boolean BASH = ChildServer.bashAvailable();

  private Graded() {}

  /** A step's own EchoServer.java. */
  static Path source(String step) {
    return ROOT.resolve(step).resolve("src/main/java/multiplexing/EchoServer.java");
  }

  /** Compiles a server file alone, as ./grade does, into grader/target/graded/NAME. */
  static Path compile(String name, Path file) throws Exception {
    Path classes = ROOT.resolve("grader/target/graded").resolve(name);
    Grade.compile(file, file.toString(), classes);
    Grade.checkShape(classes, file.toString());
    return classes;
  }

  /** Writes a copy of a step's server under grader/target, changed by {@code change}. */
  static Path copy(String step, String name, java.util.function.UnaryOperator<String> change)
      throws IOException {
    Path copy = ROOT.resolve("grader/target/copies").resolve(name).resolve("EchoServer.java");
    Files.createDirectories(copy.getParent());
    String original = Files.readString(source(step));
    String changed = change.apply(original);
    if (changed.equals(original)) {
      throw new IllegalStateException("the change to " + step + " changed nothing: " + name);
    }
    Files.writeString(copy, changed);
    return copy;
  }

  /** What ./grade printed, and its exit code. */
  record Run(int exit, List<String> lines) {
    String last() {
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  /**
   * Runs {@code ./grade} itself, with this JVM's java first on the PATH. The build this test runs
   * in has just built what ./grade needs, so its stamp says so, and ./grade does not build again.
   */
  static Run grade(String... args) throws Exception {
    built();
    List<String> command = new ArrayList<>(List.of("./grade"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
    builder.redirectErrorStream(true);
    String bin = Path.of(System.getProperty("java.home"), "bin").toString();
    builder
        .environment()
        .merge("PATH", bin, (path, first) -> first + java.io.File.pathSeparator + path);
    return run(builder);
  }

  /** Says what is true while this build runs: what ./grade needs is built. */
  static void built() throws IOException {
    Files.createDirectories(ROOT.resolve(Grade.STAMP).getParent());
    Files.writeString(ROOT.resolve(Grade.STAMP), "");
  }

  /** Runs the process to its end (two minutes at most); its output and exit code. */
  static Run run(ProcessBuilder builder) throws Exception {
    builder.redirectErrorStream(true);
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(builder.command() + " did not end");
    }
    return new Run(
        process.exitValue(),
        new String(output, java.nio.charset.StandardCharsets.UTF_8).lines().toList());
  }
}
