package multiplexing.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles a step's one-file server into a folder of its own. Every step's class is called {@code
 * multiplexing.EchoServer}, so each needs its own class path; and we start compiled classes rather
 * than the source launcher, whose in-memory compiler would add to the server's RSS.
 */
final class StepCompiler {
  private StepCompiler() {}

  static Path serverSource(Path module) {
    return module.resolve("src/main/java/multiplexing/EchoServer.java");
  }

  /** Compiles {@code module}'s EchoServer.java into {@code outputRoot/<module name>}. */
  static Path compile(Path module, Path outputRoot) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IOException("no Java compiler here: run the bench with a JDK, not a JRE");
    }
    Path classes = outputRoot.resolve(module.getFileName().toString());
    Files.createDirectories(classes);
    ByteArrayOutputStream messages = new ByteArrayOutputStream();
    int status =
        javac.run(
            null,
            null,
            new PrintStream(messages, true, StandardCharsets.UTF_8),
            "-d",
            classes.toString(),
            serverSource(module).toString());
    if (status != 0) {
      throw new IOException(
          "cannot compile "
              + serverSource(module)
              + ":\n"
              + messages.toString(StandardCharsets.UTF_8));
    }
    return classes;
  }
}
