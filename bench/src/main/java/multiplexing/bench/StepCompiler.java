package multiplexing.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles a server's one source file into a folder of its own. Every step's class is called {@code
 * multiplexing.EchoServer}, so each needs its own class path; and we start compiled classes rather
 * than the source launcher, whose in-memory compiler would add to the server's RSS. A folder whose
 * stamp names the same source, time and JDK is used as it is.
 */
final class StepCompiler {
  private static final String STAMP = "compiled-from.txt";

  private StepCompiler() {}

  static Path serverSource(Path module) {
    return module.resolve("src/main/java/multiplexing/EchoServer.java");
  }

  /** Compiles {@code module}'s EchoServer.java into {@code outputRoot/<module name>}. */
  static Path compile(Path module, Path outputRoot) throws IOException {
    Path source = serverSource(module);
    Path classes = outputRoot.resolve(module.getFileName().toString());
    String stamp = stamp(source, "javac " + Runtime.version());
    if (upToDate(classes, stamp)) {
      return classes;
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IOException("no Java compiler here: run the bench with a JDK, not a JRE");
    }
    Files.createDirectories(classes);
    ByteArrayOutputStream messages = new ByteArrayOutputStream();
    int status =
        javac.run(
            null,
            null,
            new PrintStream(messages, true, StandardCharsets.UTF_8),
            "-d",
            classes.toString(),
            source.toString());
    if (status != 0) {
      throw new IOException(
          "cannot compile " + source + ":\n" + messages.toString(StandardCharsets.UTF_8));
    }
    Files.writeString(classes.resolve(STAMP), stamp);
    return classes;
  }

  /**
   * Compiles one source file with {@code jdk}'s own javac, for a server that needs a newer JDK than
   * the bench runs on (virtual threads), into {@code outputRoot/<file name>-jdk<N>}.
   */
  static Path compileWith(Jdk jdk, Path source, Path outputRoot) throws IOException {
    String name = source.getFileName().toString().replace(".java", "");
    Path classes = outputRoot.resolve(name + "-jdk" + jdk.feature());
    String stamp = stamp(source, jdk.javac() + " " + jdk.version());
    if (upToDate(classes, stamp)) {
      return classes;
    }
    Files.createDirectories(classes);
    Process javac =
        new ProcessBuilder(
                List.of(jdk.javac().toString(), "-d", classes.toString(), source.toString()))
            .redirectErrorStream(true)
            .start();
    String messages = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!javac.waitFor(60, TimeUnit.SECONDS) || javac.exitValue() != 0) {
        throw new IOException(
            "cannot compile " + source + " with " + jdk.javac() + ":\n" + messages);
      }
    } catch (InterruptedException e) {
      javac.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while compiling " + source, e);
    }
    Files.writeString(classes.resolve(STAMP), stamp);
    return classes;
  }

  private static String stamp(Path source, String compiler) throws IOException {
    return source.toAbsolutePath()
        + "\n"
        + Files.getLastModifiedTime(source).toMillis()
        + "\n"
        + compiler
        + "\n";
  }

  private static boolean upToDate(Path classes, String stamp) throws IOException {
    Path file = classes.resolve(STAMP);
    return Files.isRegularFile(file) && Files.readString(file).equals(stamp);
  }
}
