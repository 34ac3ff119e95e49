package multiplexing.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A server the bench starts, in the order of the tables: the seven steps (1 to 6 for what they
 * teach, never judged), Netty (the reference of every target), step 1 with a thread per client.
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

  private final String source; // a step's module, or a file in bench/contenders

  Contender(String source) {
    this.source = source;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  boolean judged() { // the targets compare step 7 with Netty, round by round, over more rounds
    return this == STEP7 || this == NETTY;
  }

  /**
   * The command that starts it, short of its port: a step from its module's classes, refused if
   * older than its source; Netty from our class path; a thread-per-client server from its one
   * source file (the build stays on 17, virtual threads need 21).
   */
  List<String> command(Path root, Path java) {
    Path classes = root.resolve(source + "/target/classes");
    Path source = root.resolve(this.source + "/src/main/java/multiplexing/EchoServer.java");
    if (this == NETTY) {
      return List.of(
          "" + java,
          "-cp",
          System.getProperty("java.class.path"),
          "" + NettyEchoServer.class.getName());
    } else if (this == THREADS || this == VTHREADS) {
      return List.of("" + java, "" + root.resolve("bench/contenders/" + this.source + ".java"));
    } else if (classes.resolve("multiplexing/EchoServer.class").toFile().lastModified()
        < source.toFile().lastModified()) {
      throw new Bench.Failure(
          this.source
              + "'s classes are missing or older than its EchoServer.java: bench/run builds them");
    }
    return List.of("" + java, "-cp", "" + classes, "multiplexing.EchoServer");
  }
}
