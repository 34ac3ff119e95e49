package docscheck;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Per pair of neighbouring steps, what {@code diff -u stepN/SERVER stepM/SERVER} and {@code diff
 * -ruN stepN/src/test stepM/src/test} print. (Every step's client is the same file.)
 */
final class StepDiffs {
  static final String DIR = "docs/diffs";
  static final String SERVER = "src/main/java/multiplexing/EchoServer.java";

  private StepDiffs() {}

  static Map<String, String> generate(Path root) throws IOException {
    Map<String, String> diffs = new TreeMap<>();
    List<String> steps = Repo.steps(root);
    for (int i = 0; i + 1 < steps.size(); i++) {
      String from = steps.get(i);
      String to = steps.get(i + 1);
      String name = DIR + "/step" + Repo.stepNumber(from) + "-to-step" + Repo.stepNumber(to);
      diffs.put(name + "-server.diff", diff(root, from, to, List.of(SERVER), false));
      TreeSet<String> tests = new TreeSet<>(tests(root.resolve(from)));
      tests.addAll(tests(root.resolve(to)));
      diffs.put(name + "-tests.diff", diff(root, from, to, tests, true));
    }
    return diffs;
  }

  // The files' diffs one after another; `recursive` heads each with its `diff -ruN` line.
  private static String diff(
      Path root, String from, String to, Iterable<String> files, boolean recursive)
      throws IOException {
    StringBuilder out = new StringBuilder();
    for (String file : files) {
      List<String> before = lines(root.resolve(from).resolve(file));
      List<String> after = lines(root.resolve(to).resolve(file));
      if (before.equals(after)) {
        continue;
      }
      if (recursive) {
        out.append("diff -ruN ").append(from + "/" + file).append(' ').append(to + "/" + file);
        out.append('\n');
      }
      for (String line :
          UnifiedDiffUtils.generateUnifiedDiff(
              before.isEmpty() ? "/dev/null" : from + "/" + file,
              after.isEmpty() ? "/dev/null" : to + "/" + file,
              before,
              DiffUtils.diff(before, after),
              3)) {
        // A side with no lines starts at line 0, as GNU diff writes it (the library writes 1).
        if (line.startsWith("@@ ")) {
          line = before.isEmpty() ? line.replaceFirst("^@@ -1,0 ", "@@ -0,0 ") : line;
          line = after.isEmpty() ? line.replaceFirst(" \\+1,0 @@", " +0,0 @@") : line;
        }
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  private static List<String> tests(Path module) {
    return Repo.files(module.resolve("src/test")).stream().map(p -> Repo.name(module, p)).toList();
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.isRegularFile(file) ? Files.readString(file).lines().toList() : List.of();
  }
}
