package multiplexing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A JDK the servers run on: its home and its feature version (17, 21, 25), read from the {@code
 * release} file every JDK since 9 carries, so finding one starts no process.
 *
 * @param home the JDK's folder, with bin/java and bin/javac
 * @param feature the major version: 25 for 25.0.3
 * @param version the whole version string, for the machine description
 */
record Jdk(Path home, int feature, String version) {
  /** Virtual threads arrived in JDK 21. */
  static final int VIRTUAL_THREADS = 21;

  private static final Pattern JAVA_VERSION =
      Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)([^\"]*)\"");
  private static final Pattern RUNTIME_VERSION =
      Pattern.compile("(?m)^JAVA_RUNTIME_VERSION=\"([^\"]+)\"");

  Path java() {
    return home.resolve("bin").resolve("java");
  }

  Path javac() {
    return home.resolve("bin").resolve("javac");
  }

  /** The JDK at {@code home}, if it is one: bin/java and bin/javac, and a release file. */
  static Optional<Jdk> at(Path home) {
    try {
      Path release = home.resolve("release");
      if (!Files.isExecutable(home.resolve("bin/java"))
          || !Files.isExecutable(home.resolve("bin/javac"))
          || !Files.isRegularFile(release)) {
        return Optional.empty();
      }
      String text = Files.readString(release);
      Matcher m = JAVA_VERSION.matcher(text);
      if (!m.find()) {
        return Optional.empty();
      }
      Matcher runtime = RUNTIME_VERSION.matcher(text);
      String version = runtime.find() ? runtime.group(1) : m.group(1) + m.group(2);
      return Optional.of(
          new Jdk(home.toAbsolutePath().normalize(), Integer.parseInt(m.group(1)), version));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The JDK this bench runs on; a JRE (no javac) still gets its version from the JVM. */
  static Jdk running() {
    Path home = Path.of(System.getProperty("java.home"));
    return at(home)
        .orElse(
            new Jdk(home, Runtime.version().feature(), System.getProperty("java.runtime.version")));
  }

  /**
   * What the search found: a JDK 21 or newer, or none and why, in one line.
   *
   * @param jdk the JDK found, if any
   * @param how how we found it ("--jdk21", "the JDK running the bench", "JAVA_HOME",
   *     "/usr/lib/jvm") or, when none was found, why not
   */
  record Search(Optional<Jdk> jdk, String how) {}

  /**
   * Looks for a JDK 21 or newer: the {@code --jdk21=PATH} flag (or "none" to look no further), then
   * the JDK running the bench, then {@code JAVA_HOME}, then the newest under the usual folders.
   */
  static Search find(String flag, Jdk running, String javaHome, List<Path> folders) {
    if (flag != null) {
      if (flag.equals("none")) {
        return new Search(Optional.empty(), "--jdk21=none was given");
      }
      Optional<Jdk> given = at(Path.of(flag));
      if (given.isEmpty()) {
        return new Search(Optional.empty(), "--jdk21=" + flag + " is not a JDK");
      }
      if (given.get().feature() < VIRTUAL_THREADS) {
        return new Search(Optional.empty(), "--jdk21=" + flag + " is JDK " + given.get().feature());
      }
      return new Search(given, "--jdk21");
    }
    if (running.feature() >= VIRTUAL_THREADS) {
      return new Search(Optional.of(running), "the JDK running the bench");
    }
    if (javaHome != null && !javaHome.isBlank()) {
      Optional<Jdk> home = at(Path.of(javaHome)).filter(j -> j.feature() >= VIRTUAL_THREADS);
      if (home.isPresent()) {
        return new Search(home, "JAVA_HOME");
      }
    }
    List<Jdk> found = new ArrayList<>();
    for (Path folder : folders) {
      found.addAll(inside(folder));
    }
    Optional<Jdk> newest =
        found.stream()
            .filter(j -> j.feature() >= VIRTUAL_THREADS)
            .max(Comparator.comparingInt(Jdk::feature));
    if (newest.isPresent()) {
      return new Search(newest, newest.get().home().getParent().toString());
    }
    return new Search(
        Optional.empty(),
        "no JDK 21 or newer: the bench runs on JDK "
            + running.feature()
            + ", JAVA_HOME is "
            + (javaHome == null || javaHome.isBlank() ? "unset" : "JDK " + describe(javaHome))
            + ", none in "
            + String.join(", ", folders.stream().map(Path::toString).toList())
            + "; pass --jdk21=PATH");
  }

  private static String describe(String javaHome) {
    return at(Path.of(javaHome)).map(j -> Integer.toString(j.feature())).orElse("? (not a JDK)");
  }

  // A folder of JDKs: /usr/lib/jvm/*, or macOS's /Library/Java/JavaVirtualMachines/*/Contents/Home.
  private static List<Jdk> inside(Path folder) {
    List<Jdk> found = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return found;
    }
    try (Stream<Path> children = Files.list(folder)) {
      for (Path child : children.sorted().toList()) {
        at(child).or(() -> at(child.resolve("Contents/Home"))).ifPresent(found::add);
      }
    } catch (IOException e) {
      // An unreadable folder holds no JDK we can use.
    }
    return found;
  }

  /** The folders we look in when neither the flag nor JAVA_HOME names a JDK 21. */
  static List<Path> usualFolders() {
    return List.of(Path.of("/usr/lib/jvm"), Path.of("/Library/Java/JavaVirtualMachines"));
  }
}
