package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A step's server in a JVM of its own, for what a test cannot set in its own JVM: a heap limit, or
 * (through bash) a descriptor limit. It runs the class the test is given from where it was loaded:
 * the step's {@code target/classes}, or a student's version that the grader compiled.
 */
public final class ChildServer extends ServerFixture {
  /**
   * Starts {@code serverClass} on port 0 with these JVM options and server arguments, under a shell
   * command such as {@code ulimit -n 96} (null: no shell), and waits for it to listen.
   */
  public ChildServer(
      Class<?> serverClass, String shellPrefix, List<String> jvmOptions, String... serverArgs)
      throws IOException {
    super(
        Launcher.child(
            command(shellPrefix, Launcher.java(serverClass, jvmOptions, serverArgs)),
            new Log(KEEP)));
  }

  // "$@" keeps every word as it is; `exec` makes the JVM the process we later stop.
  private static List<String> command(String shellPrefix, List<String> java) {
    java.add("0");
    if (shellPrefix != null) {
      java.addAll(0, List.of("bash", "-c", shellPrefix + " && exec \"$@\"", "-"));
    }
    return java;
  }

  /**
   * What a JVM started with these options sees as its heap, a little less than {@code -Xmx}: the
   * same JVM as the child's, asked by a probe. A test takes its bounds from it, never the server.
   */
  public static long maxMemory(List<String> jvmOptions) throws IOException, InterruptedException {
    Process probe = new ProcessBuilder(Launcher.java(MaxMemory.class, jvmOptions)).start();
    String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(probe.waitFor(10, TimeUnit.SECONDS)).as("the heap probe exited").isTrue();
    return Long.parseLong(out);
  }

  /** True where tests may start bash and use its ulimit: Linux and macOS with bash on the PATH. */
  public static boolean bashAvailable() {
    return List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "bash")));
  }

  public Process process() {
    return server.process();
  }

  /** Prints {@code Runtime.maxMemory()}; it loads nothing but the JDK. */
  public static final class MaxMemory {
    public static void main(String[] args) {
      System.out.println(Runtime.getRuntime().maxMemory());
    }
  }
}
