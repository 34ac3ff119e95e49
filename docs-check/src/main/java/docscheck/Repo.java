package docscheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where the repository is, and which modules the root pom lists. */
final class Repo {
  /** The command that rewrites every generated file under docs/; failure messages quote it. */
  static final String REGENERATE = "./mvnw -q -pl docs-check compile exec:java";

  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern STEP = Pattern.compile("step(\\d+)-[a-z0-9-]+");

  private Repo() {}

  /** Walks up from the working directory (the root for exec:java, the module for tests). */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("mvnw")) && Files.isDirectory(d.resolve("docs-check"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root above " + dir);
  }

  /** The root pom's modules, in the order it lists them. */
  static List<String> modules(Path root) {
    List<String> modules = new ArrayList<>();
    Matcher m = MODULE.matcher(read(root.resolve("pom.xml")));
    while (m.find()) {
      modules.add(m.group(1).trim());
    }
    return modules;
  }

  /** The step modules (stepN-name), ordered by N. */
  static List<String> steps(Path root) {
    return modules(root).stream()
        .filter(name -> STEP.matcher(name).matches())
        .sorted(Comparator.comparingInt(Repo::stepNumber))
        .toList();
  }

  static int stepNumber(String module) {
    Matcher m = STEP.matcher(module);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a step module: " + module);
    }
    return Integer.parseInt(m.group(1));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
