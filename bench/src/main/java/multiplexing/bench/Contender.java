package multiplexing.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A server the bench can start, and what it is known to do: each contender says so here, one by
 * one, rather than the bench guessing from a folder's step number.
 *
 * @param name the column a student reads: "step3", "netty", "threads"
 * @param kind how it is built and started
 * @param source the step's folder, or the contender's one source file, from the repository root;
 *     empty for Netty
 * @param role whether the bench judges it, compares against it, or shows it for illustration
 * @param oneClientAtATime it serves one client until that client leaves (step 1): it only takes
 *     loads of one connection
 * @param losesUnsentBytes it drops what a client's socket does not take at once (step 2): a client
 *     that never reads tells us nothing about its memory
 * @param minimumJdk the oldest JDK that runs it
 */
record Contender(
    String name,
    Kind kind,
    String source,
    Role role,
    boolean oneClientAtATime,
    boolean losesUnsentBytes,
    int minimumJdk) {

  /** How a contender is built and started. */
  enum Kind {
    /** A step module: its EchoServer.java compiled on its own, class multiplexing.EchoServer. */
    STEP,
    /** The Netty reference, from the bench's own class path. */
    NETTY,
    /** A one-file server in bench/contenders, compiled by the JDK that runs it. */
    SOURCE_FILE
  }

  /** Why a contender is in the tables. */
  enum Role {
    /** An earlier step: slow on purpose in places, shown for what it teaches, never judged. */
    ILLUSTRATION,
    /** The last step: the one the targets judge. */
    JUDGED,
    /** Netty: every target is a ratio against it. */
    REFERENCE,
    /** Another way to write the server: a thread per client, platform or virtual. */
    ALTERNATIVE
  }

  static final Contender STEP1 =
      new Contender("step1", Kind.STEP, "step1-blocking", Role.ILLUSTRATION, true, false, 17);
  static final Contender STEP2 =
      new Contender("step2", Kind.STEP, "step2-select-echo", Role.ILLUSTRATION, false, true, 17);
  static final Contender STEP3 =
      new Contender(
          "step3", Kind.STEP, "step3-read-write-split", Role.ILLUSTRATION, false, false, 17);
  static final Contender STEP4 =
      new Contender(
          "step4", Kind.STEP, "step4-error-handling", Role.ILLUSTRATION, false, false, 17);
  static final Contender STEP5 =
      new Contender("step5", Kind.STEP, "step5-backpressure", Role.JUDGED, false, false, 17);
  static final Contender NETTY =
      new Contender("netty", Kind.NETTY, "", Role.REFERENCE, false, false, 17);
  static final Contender THREADS =
      new Contender(
          "threads",
          Kind.SOURCE_FILE,
          "bench/contenders/ThreadPerClientEchoServer.java",
          Role.ALTERNATIVE,
          false,
          false,
          17);
  static final Contender VTHREADS =
      new Contender(
          "vthreads",
          Kind.SOURCE_FILE,
          "bench/contenders/VirtualThreadEchoServer.java",
          Role.ALTERNATIVE,
          false,
          false,
          Jdk.VIRTUAL_THREADS);

  /** Every contender, in the order of the tables. */
  static final List<Contender> ALL =
      List.of(STEP1, STEP2, STEP3, STEP4, STEP5, NETTY, THREADS, VTHREADS);

  /** The four the threads-versus-selector table puts side by side. */
  static final List<Contender> THREADS_OR_SELECTOR = List.of(STEP5, NETTY, THREADS, VTHREADS);

  /** The contenders whose source is in this repository (all of them, unless a step is missing). */
  static List<Contender> present(Path root) {
    return ALL.stream()
        .filter(c -> c.kind() == Kind.NETTY || Files.isRegularFile(c.sourceFile(root)))
        .toList();
  }

  /** The one Java file that is this server; for Netty, none. */
  Path sourceFile(Path root) {
    return kind == Kind.STEP
        ? StepCompiler.serverSource(root.resolve(source))
        : root.resolve(source);
  }

  /** The class its JVM starts. */
  String mainClass() {
    return switch (kind) {
      case STEP -> "multiplexing.EchoServer";
      case NETTY -> NettyEchoServer.class.getName();
      case SOURCE_FILE -> Path.of(source).getFileName().toString().replace(".java", "");
    };
  }

  /** The docs page a student reads about it, from docs/: "step3-read-write-split.md". */
  String chapter() {
    return kind == Kind.STEP ? source + ".md" : null;
  }

  boolean isNetty() {
    return kind == Kind.NETTY;
  }

  /** The step 5 and Netty rows: the targets take at least five rounds of each. */
  boolean judgedOrReference() {
    return role == Role.JUDGED || role == Role.REFERENCE;
  }
}
