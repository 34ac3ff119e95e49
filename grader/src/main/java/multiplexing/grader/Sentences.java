package multiplexing.grader;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A test method's name read as a sentence: {@code opWriteIsOnOnlyWhileSomethingIsQueued}. */
public final class Sentences {
  // Units and names that keep their capitals; then words, capitalized runs and numbers.
  private static final Pattern WORD =
      Pattern.compile("KiB|MiB|Utf8|[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+");

  private Sentences() {}

  /** "OP_WRITE is on only while something is queued", "A line in Chinese comes back as ...". */
  public static String of(String methodName) {
    List<String> words = new ArrayList<>();
    Matcher m = WORD.matcher(methodName);
    while (m.find()) {
      String word = m.group();
      words.add(
          switch (word) {
            case "KiB", "MiB" -> word;
            case "Utf8" -> "UTF-8";
            case "Chinese" -> word;
            default -> word.toLowerCase(Locale.ROOT);
          });
    }
    String sentence =
        String.join(" ", words)
            .replaceAll("^op write\\b", "OP_WRITE")
            .replace("half closes", "half-closes");
    return Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
  }
}
