package multiplexing.grader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a failed lesson test sends the student: the section of the step's chapter that walks
 * through the change, in English and in Chinese. The English heading is fixed ({@link #SECTION});
 * the Chinese one is whatever heading stands at the same place in the Chinese chapter (the docs
 * check holds both chapters to the same headings, one for one), and both anchors are computed from
 * the headings as GitHub computes them, so that a reworded Chinese heading moves its link along.
 */
public final class Chapter {
  /** The heading every English chapter from step 2 on gives its walk through the change. */
  public static final String SECTION = "The change, hunk by hunk";

  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)(\\s+#+)?\\s*$");
  private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~).*");

  private Chapter() {}

  /**
   * The links, relative to the repository: the English section, then the Chinese one; a chapter
   * without the section is linked as a whole, and a missing chapter not at all.
   */
  public static List<String> links(Path root, String step) {
    List<String> links = new ArrayList<>();
    String english = "docs/" + step + ".md";
    String chinese = "docs/zh/" + step + ".md";
    List<String> en = headings(root.resolve(english));
    List<String> zh = headings(root.resolve(chinese));
    int at = en.indexOf(SECTION);
    if (Files.isRegularFile(root.resolve(english))) {
      links.add(english + (at < 0 ? "" : "#" + anchor(en, at)));
    }
    if (Files.isRegularFile(root.resolve(chinese))) {
      boolean same = at >= 0 && zh.size() == en.size();
      links.add(chinese + (same ? "#" + anchor(zh, at) : ""));
    }
    return links;
  }

  /** The page's headings, in order, outside fenced code; none if there is no such page. */
  public static List<String> headings(Path page) {
    List<String> headings = new ArrayList<>();
    if (!Files.isRegularFile(page)) {
      return headings;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(page);
    } catch (IOException e) {
      return headings;
    }
    boolean fenced = false;
    for (String line : lines) {
      if (FENCE.matcher(line).matches()) {
        fenced = !fenced;
      } else if (!fenced) {
        Matcher m = HEADING.matcher(line);
        if (m.matches()) {
          headings.add(text(m.group(1)));
        }
      }
    }
    return headings;
  }

  // The heading as a reader sees it: links become their text, code and emphasis lose their marks.
  private static String text(String markdown) {
    return markdown.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("[`*]", "");
  }

  /** The anchor GitHub gives heading {@code at}: its slug, and -1, -2 for a repeated one. */
  public static String anchor(List<String> headings, int at) {
    String slug = slug(headings.get(at));
    int before = 0;
    for (int i = 0; i < at; i++) {
      if (slug(headings.get(i)).equals(slug)) {
        before++;
      }
    }
    return before == 0 ? slug : slug + "-" + before;
  }

  /** Lower case; letters, marks, digits, '_' and '-' kept, spaces made '-', the rest dropped. */
  public static String slug(String heading) {
    return heading
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
        .replace(' ', '-');
  }
}
