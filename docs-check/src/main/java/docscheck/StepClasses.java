package docscheck;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Each step's main sources compiled with javac (not Maven) into a folder of their own, and loaded
 * in a class loader of their own, so that five classes named {@code multiplexing.EchoServer} can
 * run side by side in one JVM.
 */
final class StepClasses implements AutoCloseable {
  private final Path work;
  private final Set<Path> compiled = new HashSet<>();

  StepClasses() throws IOException {
    work = Files.createTempDirectory("docs-check-");
  }

  /**
   * Compiles every step at once (javac runs one task per step, side by side), so that a step's
   * loader is ready when it is asked for.
   */
  void compileAll(List<Path> modules) {
    modules.parallelStream().forEach(this::compile);
  }

  /** A loader for this step's EchoServer and EchoClient; the caller closes it. */
  URLClassLoader load(Path module) throws IOException {
    Path out = compile(module);
    return new URLClassLoader(
        new URL[] {out.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
  }

  private Path compile(Path module) {
    Path out = work.resolve(module.getFileName().toString());
    synchronized (this) {
      if (!compiled.add(out)) {
        return out;
      }
    }
    try {
      List<Path> sources;
      try (Stream<Path> walk = Files.walk(module.resolve("src/main/java"))) {
        sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
      }
      Files.createDirectories(out);
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      StringWriter errors = new StringWriter();
      try (StandardJavaFileManager files =
          javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
        boolean ok =
            javac
                .getTask(
                    errors,
                    files,
                    null,
                    List.of("-d", out.toString(), "--release", "17", "-proc:none"),
                    null,
                    files.getJavaFileObjectsFromPaths(sources))
                .call();
        if (!ok) {
          throw new IllegalStateException("cannot compile " + module + ":\n" + errors);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    try (Stream<Path> walk = Files.walk(work)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
