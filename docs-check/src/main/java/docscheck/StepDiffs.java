package docscheck;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Two unified diffs per pair of neighbouring steps, what a student sees comparing them: the server
 * alone, like {@code diff -u stepN/src/main/java/multiplexing/EchoServer.java
 * stepM/src/main/java/multiplexing/EchoServer.java}, and the tests, like {@code diff -ruN
 * stepN/src/test stepM/src/test}. (Each step's client is the same file, so the server is all that
 * changes in src/main.)
 */
final class StepDiffs {
  static final String DIR = "docs/diffs";
  private static final int CONTEXT_LINES = 3;

  private StepDiffs() {}

  static final String SERVER = "src/main/java/multiplexing/EchoServer.java";

  /**
   * File name under docs/diffs to diff text: {@code step1-to-step2-server.diff} and {@code
   * step1-to-step2-tests.diff}.
   */
  static Map<String, String> generate(Path root) throws IOException {
    Map<String, String> diffs = new TreeMap<>();
    List<String> steps = Repo.steps(root);
    for (int i = 0; i + 1 < steps.size(); i++) {
      String from = steps.get(i);
      String to = steps.get(i + 1);
      String name = "step" + Repo.stepNumber(from) + "-to-step" + Repo.stepNumber(to);
      diffs.put(DIR + "/" + name + "-server.diff", diff(root, from, to, List.of(SERVER), false));
      List<String> tests = new ArrayList<>(sourceFiles(root.resolve(from), "src/test"));
      tests.addAll(sourceFiles(root.resolve(to), "src/test"));
      diffs.put(DIR + "/" + name + "-tests.diff", diff(root, from, to, tests, true));
    }
    return diffs;
  }

  // The files' diffs one after another; `recursive` heads each with its `diff -ruN` line.
  static String diff(Path root, String from, String to, List<String> paths, boolean recursive)
      throws IOException {
    TreeSet<String> files = new TreeSet<>(paths);
    StringBuilder out = new StringBuilder();
    for (String file : files) {
      List<String> before = lines(root.resolve(from).resolve(file));
      List<String> after = lines(root.resolve(to).resolve(file));
      before = samePackageLine(before, after);
      if (before.equals(after)) {
        continue;
      }
      Patch<String> patch = DiffUtils.diff(before, after);
      String left = before.isEmpty() ? "/dev/null" : from + "/" + file;
      String right = after.isEmpty() ? "/dev/null" : to + "/" + file;
      if (recursive) {
        out.append("diff -ruN ").append(from).append('/').append(file).append(' ');
        out.append(to).append('/').append(file).append('\n');
      }
      for (String line :
          UnifiedDiffUtils.generateUnifiedDiff(left, right, before, patch, CONTEXT_LINES)) {
        out.append(emptySide(line, before.isEmpty(), after.isEmpty())).append('\n');
      }
    }
    return out.toString();
  }

  // A side with no lines starts at line 0, as GNU diff writes it: `@@ -0,0 +1,98 @@` for a new
  // file. The library writes -1,0 (and +1,0 for a deleted file).
  private static String emptySide(String line, boolean noBefore, boolean noAfter) {
    if (!line.startsWith("@@ ")) {
      return line;
    }
    String fixed = noBefore ? line.replaceFirst("^@@ -1,0 ", "@@ -0,0 ") : line;
    return noAfter ? fixed.replaceFirst(" \\+1,0 @@", " +0,0 @@") : fixed;
  }

  // The spec allows one difference to be ignored: a step that moved to another package would
  // otherwise show every file as changed on line 1. Today every step is `package multiplexing;`.
  private static List<String> samePackageLine(List<String> before, List<String> after) {
    int b = packageLine(before);
    int a = packageLine(after);
    if (a < 0 || b < 0 || before.get(b).equals(after.get(a))) {
      return before;
    }
    List<String> copy = new ArrayList<>(before);
    copy.set(b, after.get(a));
    return copy;
  }

  private static int packageLine(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("package ")) {
        return i;
      }
    }
    return -1;
  }

  // Paths like src/test/java/multiplexing/EchoServerTest.java, relative to the module.
  private static List<String> sourceFiles(Path module, String tree) throws IOException {
    Path src = module.resolve(tree);
    if (!Files.isDirectory(src)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(src)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> module.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.isRegularFile(file) ? Files.readString(file).lines().toList() : List.of();
  }
}
