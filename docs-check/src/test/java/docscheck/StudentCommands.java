package docscheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands a student uses to rebuild a step: copy the step before into mine/stepN/ and grade it
 * with ./grade, in sh ({@link #check}) and in Windows' cmd ({@link #checkCmd}).
 */
final class StudentCommands {
  private static final Pattern MINE = Pattern.compile("mine/step(\\d+)/?");
  private static final Pattern MINE_FILE = Pattern.compile("mine/step(\\d+)/EchoServer\\.java");
  private static final String SERVER = "src/main/java/multiplexing/EchoServer.java";

  private StudentCommands() {}

  /** Null if this sh command (./grade, mkdir or cp) is one that works, else why not. */
  static String check(Path root, List<String> words) {
    List<String> args = words.subList(1, words.size());
    return switch (words.get(0)) {
      case "./grade" -> grade(root, args);
      case "mkdir" ->
          args.size() == 2 && args.get(0).equals("-p") && MINE.matcher(args.get(1)).matches()
              ? null
              : "only `mkdir -p mine/stepN` is shown";
      case "cp" ->
          args.size() == 3 && args.get(0).equals("-n")
              ? copy(root, args.get(1), args.get(2))
              : "only `cp -n stepM/" + SERVER + " mine/stepN/`, which never overwrites a copy";
      default -> "not a command the README gives";
    };
  }

  /**
   * Null if this line of a ```bat block (mkdir, copy, grade.cmd; & between) works, else why not.
   */
  static String checkCmd(Path root, String line) {
    for (String command : line.split("\\s&&?\\s")) {
      List<String> words = Commands.words(command.replace('\\', '/'));
      if (words.isEmpty()) {
        return "an empty command";
      }
      List<String> args = words.subList(1, words.size());
      String why =
          switch (words.get(0)) {
            case "grade.cmd" -> grade(root, args);
            case "mkdir" ->
                args.size() == 1 && MINE.matcher(args.get(0)).matches()
                    ? null
                    : "only `mkdir mine\\stepN` is shown";
            case "copy" ->
                args.size() == 2
                    ? copy(root, args.get(0), args.get(1))
                    : "only `copy stepM\\...\\EchoServer.java mine\\stepN\\`";
            default -> "not a command for cmd that the guide gives";
          };
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  // ./grade STEP FILE: a step from 2 on, and mine/stepN/EchoServer.java of that step, or a step's
  // own server.
  private static String grade(Path root, List<String> args) {
    if (args.equals(List.of("--help"))) {
      return null;
    }
    if (args.size() != 2) {
      return "./grade takes a step and a file";
    }
    List<String> steps = Repo.steps(root);
    String step =
        steps.stream()
            .filter(
                s ->
                    s.equals(args.get(0)) || String.valueOf(Repo.stepNumber(s)).equals(args.get(0)))
            .filter(s -> Repo.stepNumber(s) >= 2)
            .findFirst()
            .orElse(null);
    if (step == null) {
      return "no step " + args.get(0) + " to grade";
    }
    Matcher mine = MINE_FILE.matcher(args.get(1));
    if (mine.matches()) {
      return Integer.parseInt(mine.group(1)) == Repo.stepNumber(step)
          ? null
          : "grade step N on mine/stepN/EchoServer.java";
    }
    return args.get(1).endsWith("/" + SERVER) && Files.isRegularFile(root.resolve(args.get(1)))
        ? null
        : "./grade takes mine/stepN/EchoServer.java or a step's EchoServer.java";
  }

  // stepM/SERVER into mine/stepN/, where step M comes right before step N.
  private static String copy(Path root, String from, String into) {
    Matcher to = MINE.matcher(into);
    if (!to.matches() || !from.endsWith("/" + SERVER) || !Files.isRegularFile(root.resolve(from))) {
      return "copy a step's " + SERVER + " into mine/stepN/";
    }
    String module = from.substring(0, from.length() - SERVER.length() - 1);
    List<String> steps = Repo.steps(root);
    int at = steps.indexOf(module);
    return at >= 0
            && at + 1 < steps.size()
            && Repo.stepNumber(steps.get(at + 1)) == Integer.parseInt(to.group(1))
        ? null
        : "mine/stepN/ starts from the step right before step N";
  }
}
