package multiplexing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A JDK the servers run on: its home and its version, read from the {@code release} file every JDK
 * since 9 carries, so that finding one starts no process.
 *
 * @param feature the major version: 25 for 25.0.3
 */
record Jdk(Path home, int feature, String version) {
  /** Where we look when neither the flag nor JAVA_HOME names a JDK 21. */
  static final List<Path> FOLDERS = List.of(Path.of("/usr/lib/jvm"));

  private static final Pattern VERSION =
      Pattern.compile("(?m)^JAVA_VERSION=\"((?:1\\.)?(\\d+)[^\"]*)\"");

  /**
   * The JDK at {@code home}, if it is one: bin/javac (the contenders need it) and a release file.
   */
  static Optional<Jdk> at(Path home) {
    Matcher m = VERSION.matcher(Server.read(home.resolve("release")));
    return Files.isExecutable(home.resolve("bin/javac")) && m.find()
        ? Optional.of(
            new Jdk(home.toAbsolutePath().normalize(), Integer.parseInt(m.group(2)), m.group(1)))
        : Optional.empty();
  }

  /** The JDK running the bench. */
  static Jdk running() {
    Path home = Path.of(System.getProperty("java.home"));
    return at(home)
        .orElse(new Jdk(home, Runtime.version().feature(), Runtime.version().toString()));
  }

  Path java() {
    return home.resolve("bin/java");
  }

  /**
   * The first JDK 21 or newer (virtual threads) of: the {@code --jdk21=PATH} flag's (alone when
   * given), the JDK running the bench, {@code JAVA_HOME}'s, and the newest in the folders; if none,
   * why not, in one line.
   */
  static Jdk find(String flag, Jdk running, String javaHome, List<Path> folders) {
    Stream<Jdk> home = Optional.ofNullable(javaHome).flatMap(h -> at(Path.of(h))).stream();
    Stream<Jdk> installed =
        folders.stream()
            .flatMap(Jdk::inside)
            .sorted(Comparator.comparingInt(Jdk::feature).reversed());
    Stream<Jdk> candidates =
        flag != null
            ? at(Path.of(flag)).stream()
            : Stream.of(Stream.of(running), home, installed).flatMap(s -> s);
    return candidates
        .filter(j -> j.feature() >= 21)
        .findFirst()
        .orElseThrow(
            () ->
                new Bench.Failure(
                    flag != null
                        ? "--jdk21=" + flag + " is no JDK 21 or newer"
                        : String.format(
                            "vthreads need JDK 21 or newer: the bench runs on JDK %d, JAVA_HOME is %s"
                                + " and there is none in %s: pass --jdk21=PATH",
                            running.feature(), javaHome == null ? "unset" : javaHome, folders)));
  }

  // A folder of JDKs, such as /usr/lib/jvm.
  private static Stream<Jdk> inside(Path folder) {
    try (Stream<Path> children = Files.list(folder)) {
      return children.sorted().flatMap(c -> at(c).stream()).toList().stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }
}
