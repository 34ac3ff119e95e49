package multiplexing.grader;

import java.util.Locale;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A test method's name read as a sentence: {@code opWriteIsOnOnlyWhileSomethingIsQueued}. */
public final class Sentences {
  // Units and names that keep their capitals; then words, capitalized runs and numbers.
  private static final Pattern WORD =
      Pattern.compile("KiB|MiB|[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+");

  private Sentences() {}

  /** "OP_WRITE is on only while something is queued", "Fifty clients ...". */
  public static String of(String methodName) {
    String sentence =
        WORD.matcher(methodName)
            .results()
            .map(MatchResult::group)
            .map(word -> word.matches("KiB|MiB") ? word : word.toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(" "))
            .replaceAll("^op write\\b", "OP_WRITE")
            .replace("half closes", "half-closes");
    return Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
  }
}
