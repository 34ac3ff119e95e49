package multiplexing.bench;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The words of a results page in one language: every sentence, heading and column the report
 * writes, by key, with {@link String#format} arguments. English and Chinese have the same keys, so
 * the two pages have the same sections, tables and charts.
 */
abstract class Page {
  /** The page's words, by key. */
  abstract Map<String, String> text();

  /** How a table names a load: "100 x 64 B, ping-pong". */
  abstract String load(Load load);

  /** An error kind from the load generator, in this language. */
  abstract String error(String kind, int count);

  /** Where this page is, from the repository root: "docs/bench/results.md". */
  abstract String path();

  /** The way from this page to the repository root: "../../". */
  final String root() {
    return "../".repeat((int) path().chars().filter(c -> c == '/').count());
  }

  /** The way from this page to the charts, which only docs/bench holds: "" or "../../bench/". */
  final String charts() {
    String way = Path.of(path()).getParent().relativize(Path.of("docs/bench")).toString();
    return way.isEmpty() ? "" : way.replace('\\', '/') + "/";
  }

  /** The text for {@code key}, formatted with {@code args}. */
  final String t(String key, Object... args) {
    String format = text().get(key);
    if (format == null) {
      throw new IllegalArgumentException(
          "no text for " + key + " in " + getClass().getSimpleName());
    }
    return String.format(Locale.ROOT, format, args);
  }
}
