package docscheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Just enough Markdown for the checks: fenced blocks with the marker above them, prose, headings.
 */
final class Markdown {
  private static final Pattern MARKER = Pattern.compile("^<!--\\s*(\\w+)(?::\\s*(\\S+))?\\s*-->$");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

  /** A fenced code block and the {@code <!-- kind: path -->} comment right above it, if any. */
  record Block(Path page, int line, String lang, List<String> lines, String kind, String path) {
    String where() {
      return page + ":" + line;
    }
  }

  final Path page;
  final List<Block> blocks = new ArrayList<>();
  // Every line outside fenced blocks, for links, headings and inline code.
  final List<String> prose = new ArrayList<>();

  private Markdown(Path page, List<String> lines) {
    this.page = page;
    String previous = "";
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      // Fences may be indented, inside a list item.
      if (line.stripLeading().startsWith("```")) {
        String lang = line.stripLeading().substring(3).trim();
        int start = i + 1;
        List<String> body = new ArrayList<>();
        for (i = start; i < lines.size() && !lines.get(i).stripLeading().startsWith("```"); i++) {
          body.add(lines.get(i));
        }
        Matcher m = MARKER.matcher(previous.trim());
        String kind = m.matches() ? m.group(1) : null;
        String path = m.matches() ? m.group(2) : null;
        blocks.add(new Block(page, start, lang, body, kind, path));
        previous = "";
        continue;
      }
      prose.add(line);
      if (!line.isBlank()) {
        previous = line;
      }
    }
  }

  static Markdown read(Path page) {
    try {
      return new Markdown(page, Files.readAllLines(page));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every Markdown page under docs/, sorted. */
  static List<Path> pages(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root.resolve("docs"))) {
      return walk.filter(p -> p.toString().endsWith(".md")).sorted().toList();
    }
  }

  /** The anchors GitHub gives this page's headings (duplicates get -1, -2, ...). */
  List<String> anchors() {
    List<String> anchors = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : prose) {
      Matcher m = HEADING.matcher(line);
      if (m.matches()) {
        String slug = slug(m.group(2));
        int n = seen.merge(slug, 1, Integer::sum) - 1;
        anchors.add(n == 0 ? slug : slug + "-" + n);
      }
    }
    return anchors;
  }

  // GitHub: lower case, drop everything but letters, digits, marks, '_', '-' and spaces,
  // then spaces become hyphens. Chinese characters are letters, so they stay.
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
    StringBuilder slug = new StringBuilder();
    text.codePoints()
        .forEach(
            c -> {
              if (Character.isLetterOrDigit(c)
                  || c == '_'
                  || c == '-'
                  || Character.getType(c) == Character.NON_SPACING_MARK) {
                slug.appendCodePoint(c);
              } else if (c == ' ') {
                slug.append('-');
              }
            });
    return slug.toString();
  }
}
