package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A step's server in a JVM of its own, for what a test cannot set in its own JVM: a heap limit, or
 * (through bash) a descriptor limit. It runs the very class the test is given, from wherever that
 * class was loaded: the step's {@code target/classes}, or a student's version that the grader
 * compiled. The {@link Launcher} starts it.
 */
public final class ChildServer implements AutoCloseable {
  // More lines than any test makes a server print.
  private static final int KEEP = 1 << 20;
  private final Launcher child;

  /**
   * Starts {@code serverClass} on port 0 with the given JVM options and server arguments, under a
   * shell command such as {@code ulimit -n 96} (null for none: then no shell is started), and waits
   * for it to listen.
   */
  public ChildServer(
      Class<?> serverClass, String shellPrefix, List<String> jvmOptions, String... serverArgs)
      throws IOException {
    List<String> command = Launcher.java(serverClass, jvmOptions, serverArgs);
    command.add("0");
    if (shellPrefix != null) {
      // "$@" keeps every word as it is; `exec` makes the JVM the process we later stop.
      List<String> shell =
          new ArrayList<>(List.of("bash", "-c", shellPrefix + " && exec \"$@\"", "-"));
      shell.addAll(command);
      command = shell;
    }
    child = Launcher.child(command, new Log(KEEP));
  }

  /**
   * What a JVM started with these options sees as its heap ({@code Runtime.maxMemory()}), which is
   * a little less than {@code -Xmx}: the same JVM as the child's, asked by a probe of the
   * testkit's.
   */
  public static long maxMemory(List<String> jvmOptions) throws IOException, InterruptedException {
    List<String> command = Launcher.java(MaxMemory.class, jvmOptions);
    Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(probe.waitFor(10, TimeUnit.SECONDS)).as("the heap probe exited").isTrue();
    return Long.parseLong(out);
  }

  /** True where tests may start bash and use its ulimit: Linux and macOS with bash on the PATH. */
  public static boolean bashAvailable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "bash"))) {
        return true;
      }
    }
    return false;
  }

  public int port() {
    return child.port();
  }

  /** Every line the child has printed so far, standard error included. */
  public List<String> log() {
    return child.log().lines();
  }

  public long count(String prefix) {
    return child.log().count(prefix);
  }

  public Process process() {
    return child.process();
  }

  @Override
  public void close() {
    child.close();
    assertThat(child.isAlive()).as("the child JVM exited").isFalse();
  }
}
