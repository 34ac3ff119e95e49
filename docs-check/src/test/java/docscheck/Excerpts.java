package docscheck;

import java.util.ArrayList;
import java.util.List;

/** Does a quoted passage still appear in its file? Indentation and elisions do not count. */
final class Excerpts {
  /** A line that stands for lines left out of the quote. */
  static final String ELISION = "// ...";

  private Excerpts() {}

  /**
   * True if the excerpt's lines appear in the source as one run, or, where the excerpt has {@code
   * // ...} lines, as several runs in that order. Each run may be indented differently from the
   * source (quotes are shown flush left), but not re-indented inside.
   */
  static boolean contains(List<String> source, List<String> excerpt) {
    int from = 0;
    for (List<String> run : runs(excerpt)) {
      int at = find(source, run, from);
      if (at < 0) {
        return false;
      }
      from = at + run.size();
    }
    return true;
  }

  private static List<List<String>> runs(List<String> excerpt) {
    List<List<String>> runs = new ArrayList<>();
    List<String> run = new ArrayList<>();
    for (String line : excerpt) {
      if (line.trim().equals(ELISION)) {
        if (!run.isEmpty()) {
          runs.add(run);
        }
        run = new ArrayList<>();
      } else {
        run.add(line);
      }
    }
    if (!run.isEmpty()) {
      runs.add(run);
    }
    return runs;
  }

  private static int find(List<String> source, List<String> run, int from) {
    List<String> wanted = dedent(run);
    for (int i = from; i + run.size() <= source.size(); i++) {
      if (dedent(source.subList(i, i + run.size())).equals(wanted)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String line : lines) {
      if (!line.isBlank()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
    }
    return out;
  }
}
