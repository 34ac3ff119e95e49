package multiplexing.grader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a failed lesson test sends the student: its step's chapter section, in both languages. */
public final class Chapter {
  /** The heading every English chapter from step 2 on gives its walk through the change. */
  public static final String SECTION = "The change, hunk by hunk";

  private static final Pattern HEADING = Pattern.compile("#{1,6}\\s+(.*?)(\\s+#+)?\\s*");

  private Chapter() {}

  /**
   * The English link, then the Chinese: the section, or the page if it has none. The Chinese
   * section is the heading at the same place (the docs check holds both to the same headings).
   */
  public static List<String> links(Path root, String step) {
    List<String> links = new ArrayList<>();
    List<String> english = headings(root.resolve("docs/" + step + ".md"));
    int at = english.indexOf(SECTION);
    for (String page : List.of("docs/" + step + ".md", "docs/zh/" + step + ".md")) {
      List<String> headings = headings(root.resolve(page));
      if (!headings.isEmpty()) {
        boolean same = at >= 0 && headings.size() == english.size();
        links.add(page + (same ? "#" + anchor(headings, at) : ""));
      }
    }
    return links;
  }

  /** The page's headings outside fenced code, as a reader sees them; none if there is no page. */
  public static List<String> headings(Path page) {
    List<String> headings = new ArrayList<>();
    boolean fenced = false;
    try {
      for (String line : Files.readAllLines(page)) {
        fenced ^= line.matches("\\s{0,3}(```|~~~).*");
        Matcher heading = HEADING.matcher(line);
        if (!fenced && heading.matches()) {
          // A link becomes its text; code and emphasis lose their marks.
          String text = heading.group(1).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
          headings.add(text.replaceAll("[`*]", ""));
        }
      }
    } catch (IOException e) {
      // No such page: no headings.
    }
    return headings;
  }

  /** GitHub's anchor of heading {@code at}: with -1, -2 for a repeated one. */
  private static String anchor(List<String> headings, int at) {
    List<String> slugs =
        headings.subList(0, at + 1).stream()
            .map(h -> h.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", ""))
            .map(h -> h.replace(' ', '-'))
            .toList();
    long before = slugs.stream().filter(slugs.get(at)::equals).count() - 1;
    return slugs.get(at) + (before == 0 ? "" : "-" + before);
  }
}
