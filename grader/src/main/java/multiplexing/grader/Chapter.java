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
 * through the change, in English and in Chinese. The Chinese section is the heading at the same
 * place in the Chinese chapter (the docs check holds both to the same headings, one for one), and
 * both anchors are computed as GitHub computes them, so that a reworded heading moves its link.
 */
public final class Chapter {
  /** The heading every English chapter from step 2 on gives its walk through the change. */
  public static final String SECTION = "The change, hunk by hunk";

  private static final Pattern HEADING = Pattern.compile("#{1,6}\\s+(.*?)(\\s+#+)?\\s*");

  private Chapter() {}

  /**
   * The links, relative to the repository: the English section, then the Chinese one; a chapter
   * without the section is linked as a whole, and a missing chapter not at all.
   */
  public static List<String> links(Path root, String step) {
    List<String> links = new ArrayList<>();
    List<String> en = headings(root.resolve("docs/" + step + ".md"));
    List<String> zh = headings(root.resolve("docs/zh/" + step + ".md"));
    int at = en.indexOf(SECTION);
    if (!en.isEmpty()) {
      links.add("docs/" + step + ".md" + (at < 0 ? "" : "#" + anchor(en, at)));
    }
    if (!zh.isEmpty()) {
      links.add(
          "docs/zh/"
              + step
              + ".md"
              + (at >= 0 && zh.size() == en.size() ? "#" + anchor(zh, at) : ""));
    }
    return links;
  }

  /**
   * The page's headings, in order, outside fenced code, as a reader sees them (links become their
   * text, code and emphasis lose their marks); none if there is no such page.
   */
  public static List<String> headings(Path page) {
    List<String> headings = new ArrayList<>();
    boolean fenced = false;
    try {
      for (String line : Files.readAllLines(page)) {
        fenced ^= line.matches("\\s{0,3}(```|~~~).*");
        Matcher heading = HEADING.matcher(line);
        if (!fenced && heading.matches()) {
          headings.add(
              heading
                  .group(1)
                  .replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                  .replaceAll("[`*]", ""));
        }
      }
    } catch (IOException e) {
      // No such page: no headings.
    }
    return headings;
  }

  /**
   * The anchor GitHub gives heading {@code at}: lower case; letters, marks, digits, '_' and '-'
   * kept, spaces made '-', the rest dropped; and -1, -2 for a repeated one.
   */
  public static String anchor(List<String> headings, int at) {
    List<String> slugs =
        headings.subList(0, at + 1).stream()
            .map(
                h ->
                    h.toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
                        .replace(' ', '-'))
            .toList();
    String slug = slugs.get(at);
    long before = slugs.subList(0, at).stream().filter(slug::equals).count();
    return before == 0 ? slug : slug + "-" + before;
  }
}
