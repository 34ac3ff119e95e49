package multiplexing.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A server the bench starts, in the order of the tables: the seven steps (1 to 6 shown for what
 * they teach and never judged, 7 judged by the targets), Netty (the reference of every target), and
 * step 1 with a thread per client, platform and virtual.
 */
enum Contender {
  STEP1("step1-blocking"),
  STEP2("step2-select-echo"),
  STEP3("step3-read-write-split"),
  STEP4("step4-error-handling"),
  STEP5("step5-backpressure"),
  STEP6("step6-idle-timeout"),
  STEP7("step7-fast-path"),
  NETTY(""),
  THREADS("ThreadPerClientEchoServer"),
  VTHREADS("VirtualThreadEchoServer");

  // A step's module, or a contender's file name in bench/contenders.
  private final String source;

  Contender(String source) {
    this.source = source;
  }

  /** The column a student reads: "step7", "netty", "threads". */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Step 7 and Netty: the targets compare them, round by round, over more rounds. */
  boolean judged() {
    return this == STEP7 || this == NETTY;
  }

  /**
   * The command that starts it with {@code java}, short of its port: a step from its module's
   * classes, refused if older than its source (a stale server is never measured); Netty from our
   * class path; a thread-per-client server from its one source file (the build stays on 17, virtual
   * threads need 21), whose compiler then stays in that JVM's memory.
   */
  List<String> command(Path root, Path java) {
    Path classes = root.resolve(source + "/target/classes");
    Path compiled = classes.resolve("multiplexing/EchoServer.class");
    Path server = root.resolve(source + "/src/main/java/multiplexing/EchoServer.java");
    if (this == NETTY) {
      String path = System.getProperty("java.class.path");
      return List.of("" + java, "-cp", path, NettyEchoServer.class.getName());
    } else if (this == THREADS || this == VTHREADS) {
      return List.of("" + java, "" + root.resolve("bench/contenders/" + source + ".java"));
    } else if (compiled.toFile().lastModified() < server.toFile().lastModified()) {
      throw new Bench.Failure(
          source
              + "'s classes are missing or older than its EchoServer.java: bench/run builds them");
    }
    return List.of("" + java, "-cp", "" + classes, "multiplexing.EchoServer");
  }
}
