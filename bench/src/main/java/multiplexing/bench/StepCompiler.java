package multiplexing.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  /** {@link #compile} on a thread of its own: the steps compile side by side. */
  static CompletableFuture<Path> compileAsync(Path module, Path outputRoot) {
    CompletableFuture<Path> done = new CompletableFuture<>();
    Thread compiler =
        new Thread(
            () -> {
              try {
                done.complete(compile(module, outputRoot));
              } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
              }
            },
            "javac " + module.getFileName());
    compiler.setDaemon(true);
    compiler.start();
    return done;
  }

  /**
   * Compiles one-file servers with {@code jdk}'s own javac, for servers that need a newer JDK than
   * the bench runs on (virtual threads), into {@code outputRoot/contenders-jdk<N>}: one javac
   * process for all of them, started at once; the future completes with the folder.
   */
  static CompletableFuture<Path> compileWith(Jdk jdk, List<Path> sources, Path outputRoot) {
    Path classes = outputRoot.resolve("contenders-jdk" + jdk.feature());
    CompletableFuture<Path> done = new CompletableFuture<>();
    try {
      StringBuilder stamp = new StringBuilder();
      for (Path source : sources) {
        stamp.append(stamp(source, jdk.javac() + " " + jdk.version()));
      }
      if (sources.isEmpty() || upToDate(classes, stamp.toString())) {
        done.complete(classes);
        return done;
      }
      Files.createDirectories(classes);
      List<String> command =
          new ArrayList<>(List.of(jdk.javac().toString(), "-d", classes.toString()));
      sources.forEach(source -> command.add(source.toString()));
      Process javac = new ProcessBuilder(command).redirectErrorStream(true).start();
      // The steps compile in this JVM meanwhile; a thread waits for javac and writes the stamp.
      Thread waiter =
          new Thread(
              () -> {
                try {
                  String messages =
                      new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                  if (!javac.waitFor(60, TimeUnit.SECONDS) || javac.exitValue() != 0) {
                    javac.destroyForcibly();
                    throw new IOException(
                        "cannot compile " + sources + " with " + jdk.javac() + ":\n" + messages);
                  }
                  Files.writeString(classes.resolve(STAMP), stamp.toString());
                  done.complete(classes);
                } catch (IOException e) {
                  done.completeExceptionally(e);
                } catch (InterruptedException e) {
                  javac.destroyForcibly();
                  done.completeExceptionally(e);
                }
              },
              "javac");
      waiter.setDaemon(true);
      waiter.start();
    } catch (IOException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** Waits for {@link #compileWith}; its failure becomes an IOException. */
  static Path await(CompletableFuture<Path> compiling) throws IOException {
    try {
      return compiling.get(90, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("javac took more than 90 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while javac ran", e);
    }
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
