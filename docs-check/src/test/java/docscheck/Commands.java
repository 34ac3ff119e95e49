package docscheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The commands the docs may show: the README's, taken apart and checked against the modules,
 * classes, tests and options that exist. Anything else is refused, so the docs cannot teach a
 * command nobody has run.
 */
final class Commands {
  private static final Pattern SOURCE_LAUNCH =
      Pattern.compile("([a-z0-9-]+)/src/main/java/multiplexing/(EchoServer|EchoClient)\\.java");
  private static final Pattern STRING_LITERAL = Pattern.compile("\"([^\"]*)\"");
  private final Path root;
  private final List<String> modules;

  Commands(Path root) {
    this.root = root;
    this.modules = Repo.modules(root);
  }

  /**
   * Null if the command is one that works, else why not. A line may be a pipeline ({@code |},
   * {@code &&}, {@code ;}) with redirections and a trailing comment; each command in it is checked.
   */
  String check(String line) {
    List<String> commands = new ArrayList<>(commands(line));
    // (ulimit -n 96 && java ...): a subshell, so that the limit ends with the command.
    int last = commands.size() - 1;
    boolean subshell =
        last >= 0 && commands.get(0).startsWith("(") && commands.get(last).endsWith(")");
    if (subshell) {
      commands.set(0, commands.get(0).substring(1));
      commands.set(last, commands.get(last).substring(0, commands.get(last).length() - 1));
    }
    for (int i = 0; i < commands.size(); i++) {
      String command = commands.get(i);
      if (command.startsWith("ulimit") && !subshell) {
        return "ulimit only in a subshell, (ulimit -n 96 && ...), or it lowers the shell's limit"
            + " for good";
      }
      if (words(command).get(0).equals("tee")) {
        // A session recorded for its picture: `... --trace 9999 | tee run.txt`.
        if (i == 0 || !words(command).equals(List.of("tee", RUN))) {
          return "tee only as `| tee " + RUN + "`, to record a session for its picture";
        }
        continue;
      }
      String why = checkOne(command.trim());
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  private String checkOne(String command) {
    List<String> words = words(command);
    if (words.isEmpty()) {
      return "an empty command";
    }
    switch (words.get(0)) {
      case "./mvnw":
        if (hasUnquotedProperty(command)) {
          // cmd and PowerShell take "-Dname=value" whole; PowerShell splits -Dexec.args=... at
          // the dot.
          return "quote each -D argument whole, in double quotes: \"-Dtest=...\"";
        }
        return maven(words.subList(1, words.size()));
      case "java":
        if (words.equals(List.of("java", "-version"))) {
          return null;
        }
        // Heap options (-Xmx256m) may come before the source file.
        int source = 1;
        while (source < words.size() && words.get(source).matches("-Xm[sx]\\d+[kmg]?")) {
          source++;
        }
        if (words.size() <= source) {
          return "java needs a source file";
        }
        if (words.get(source).equals(PICTURE)) {
          // Drawing a recorded run: the session `| tee run.txt` wrote, into run.svg.
          List<String> args = words.subList(source + 1, words.size());
          return args.equals(List.of(RUN, "run.svg"))
                  || args.equals(List.of("--lang=zh", RUN, "run.svg"))
              ? null
              : "TracePicture draws the recorded session: "
                  + PICTURE
                  + " [--lang=zh] "
                  + RUN
                  + " run.svg";
        }
        Matcher m = SOURCE_LAUNCH.matcher(words.get(source));
        if (!m.matches()
            || !isStep(m.group(1))
            || !Files.isRegularFile(root.resolve(words.get(source)))) {
          return "not a step's EchoServer.java or EchoClient.java";
        }
        return arguments(m.group(1), m.group(2), words.subList(source + 1, words.size()));
      case "diff":
        // The server alone, then the tests: each step's lesson in two diffs.
        if (words.size() == 4
            && (bothSteps(words, "-u", "/" + SERVER) || bothSteps(words, "-ruN", "/src/test"))) {
          return null;
        }
        return "only `diff -u stepA/"
            + SERVER
            + " stepB/"
            + SERVER
            + "` and `diff -ruN stepA/src/test stepB/src/test` are shown";
      case "bench/run":
        return Files.isExecutable(root.resolve("bench/run"))
                && words.subList(1, words.size()).stream().allMatch(w -> w.equals("--quick"))
            ? null
            : "bench/run takes --quick, and must exist";
      case "nc":
      case "socat":
        // The tools a student has: they talk to a step's server, on its default address.
        return command.contains("127.0.0.1") && command.contains("9999")
            ? null
            : words.get(0) + " talks to a step's server at 127.0.0.1 9999";
      case "./grade", "mkdir", "cp":
        // Rebuilding a step (docs/exercises.md): a copy of the step before, then ./grade.
        return StudentCommands.check(root, words);
      default:
        return TOOLS.contains(words.get(0)) ? null : "not a command the README gives";
    }
  }

  static final String SERVER = "src/main/java/multiplexing/EchoServer.java";

  /** The program that draws a recorded run, and the file a session is recorded in. */
  static final String PICTURE = "docs-check/src/main/java/docscheck/TracePicture.java";

  private static final String RUN = "run.txt";

  // diff OPTION stepA/SUFFIX stepB/SUFFIX, with two steps whose SUFFIX exists.
  private boolean bothSteps(List<String> words, String option, String suffix) {
    if (!words.get(1).equals(option)) {
      return false;
    }
    for (String path : words.subList(2, 4)) {
      if (!path.endsWith(suffix)
          || !isStep(path.substring(0, path.length() - suffix.length()))
          || !Files.exists(root.resolve(path))) {
        return false;
      }
    }
    return true;
  }

  // Commands a "try it" box may use around ours: making input, comparing output, limits.
  private static final Set<String> TOOLS =
      Set.of("printf", "head", "cmp", "grep", "ulimit", "ss", "python3");

  // The commands of one line: split at |, && and ; outside quotes, without redirections
  // (< file, > file) and without a trailing # comment.
  static List<String> commands(String line) {
    List<String> commands = new ArrayList<>();
    StringBuilder command = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        command.append(c);
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        command.append(c);
      } else if (c == '#' && (i == 0 || line.charAt(i - 1) == ' ')) {
        break;
      } else if (c == '|'
          || c == ';'
          || (c == '&' && i + 1 < line.length() && line.charAt(i + 1) == '&')) {
        commands.add(command.toString());
        command.setLength(0);
        if (c == '&') {
          i++;
        }
      } else {
        command.append(c);
      }
    }
    commands.add(command.toString());
    List<String> stripped = new ArrayList<>();
    for (String c : commands) {
      String s = c.replaceAll("\\s[<>]\\s*\\S+", " ").trim();
      if (!s.isEmpty()) {
        stripped.add(s);
      }
    }
    return stripped;
  }

  private String maven(List<String> words) {
    String module = null;
    String mainClass = "multiplexing.EchoServer";
    String args = null;
    String test = null;
    boolean exec = false;
    boolean compile = false;
    boolean alsoMake = false;
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (word.equals("-pl") && i + 1 < words.size()) {
        module = words.get(++i);
        if (!modules.contains(module)) {
          return "no module " + module + " in the root pom";
        }
      } else if (word.equals("exec:java")) {
        exec = true;
      } else if (word.equals("compile")) {
        compile = true;
      } else if (word.equals("-am")) {
        alsoMake = true;
      } else if (word.startsWith("-Dexec.mainClass=")) {
        mainClass = word.substring("-Dexec.mainClass=".length());
      } else if (word.startsWith("-Dexec.args=")) {
        args = word.substring("-Dexec.args=".length());
      } else if (word.startsWith("-Dtest=")) {
        test = word.substring("-Dtest=".length());
      } else if (word.equals("install")) {
        // -am builds what a step needs; an installed testkit goes stale, and a later command
        // without -am would test against it.
        return "no install: -am builds the testkit each time";
      } else if (!List.of("-B", "-q", "verify", "test", "spotless:apply").contains(word)) {
        return "unknown word " + word;
      }
    }
    if (test != null && (module == null || !testExists(root, module, test))) {
      return "-Dtest needs -pl and a test that exists in that module";
    }
    if (test != null && isStep(module) && !alsoMake) {
      // Without -am Maven looks for the testkit in the local repository: a fresh clone has none,
      // and an old one installed there would be tested instead.
      return "a step's -Dtest needs -am, or a fresh clone cannot find the testkit";
    }
    if (!exec) {
      return args == null ? null : "-Dexec.args without exec:java";
    }
    if (module == null || !compile) {
      return "exec:java needs -pl MODULE compile, or it runs stale or no classes";
    }
    if (module.equals("docs-check")) {
      return args == null && mainClass.equals("multiplexing.EchoServer")
          ? null
          : "docs-check takes no arguments";
    }
    if (!isStep(module)) {
      return "exec:java runs a step";
    }
    if (!alsoMake) {
      // exec:java resolves test-scoped dependencies: without -am a fresh clone has no testkit.
      return "a step's exec:java needs -am, or a fresh clone cannot find the testkit";
    }
    String simple = mainClass.replace("multiplexing.", "");
    if (!List.of("EchoServer", "EchoClient").contains(simple)
        || !mainClass.startsWith("multiplexing.")) {
      return "no main class " + mainClass;
    }
    return arguments(module, simple, args == null ? List.of() : words(args));
  }

  // Ports and hosts are free text; options must be ones this step's USAGE line lists.
  private String arguments(String module, String program, List<String> args) {
    List<String> positional = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("-")) {
        // --trace, or --idle-timeout=10 against [--idle-timeout=SECONDS].
        int equals = arg.indexOf('=');
        String option = equals < 0 ? "[" + arg + "]" : "[" + arg.substring(0, equals + 1);
        if (program.equals("EchoClient") || !usage(module).contains(option)) {
          return module + "'s " + program + " has no option " + arg;
        }
      } else {
        positional.add(arg);
      }
    }
    if (positional.size() > 2) {
      return "too many arguments";
    }
    return null;
  }

  // The USAGE constant, whose literal may be split over several lines and joined with +.
  private String usage(String module) {
    String source =
        Repo.read(root.resolve(module).resolve("src/main/java/multiplexing/EchoServer.java"));
    int start = source.indexOf("USAGE =");
    if (start < 0) {
      return "";
    }
    String rest = source.substring(start + "USAGE =".length()).stripLeading();
    if (rest.startsWith("\"\"\"")) {
      // A text block: everything up to its closing triple quote (it may hold a ';').
      return rest.substring(3, rest.indexOf("\"\"\"", 3));
    }
    String literal = rest.substring(0, rest.indexOf(';'));
    StringBuilder usage = new StringBuilder();
    Matcher m = STRING_LITERAL.matcher(literal);
    while (m.find()) {
      usage.append(m.group(1));
    }
    return usage.toString();
  }

  private boolean isStep(String module) {
    return modules.contains(module) && module.matches("step\\d+-.*");
  }

  /**
   * Class#method (or Class alone) is a test in that module, or in any module if module is null. A
   * step's test class that extends one of the testkit's contracts (EchoContract,
   * AcceptFailureContract) also runs the contract's tests, so they count as its own;
   * EchoContract#method names one of those in any step whose tests extend it.
   */
  static boolean testExists(Path root, String module, String name) {
    String[] parts = name.split("#", 2);
    for (String m : Repo.modules(root)) {
      if (module != null && !module.equals(m)) {
        continue;
      }
      for (Path file : testClasses(root.resolve(m))) {
        String source = Repo.read(file);
        String simple = file.getFileName().toString().replace(".java", "");
        Matcher extended = EXTENDS.matcher(source);
        Path contract =
            extended.find() ? root.resolve(CONTRACTS).resolve(extended.group(1) + ".java") : null;
        boolean extendsContract = contract != null && Files.isRegularFile(contract);
        if (!simple.equals(parts[0]) && !(extendsContract && parts[0].equals(extended.group(1)))) {
          continue;
        }
        if (parts.length == 1
            || declares(source, parts[1])
            || (extendsContract && declares(Repo.read(contract), parts[1]))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Where the tests all steps share live: EchoContract, AcceptFailureContract. */
  static final String CONTRACTS = "testkit/src/main/java/multiplexing/testkit";

  private static final Pattern EXTENDS = Pattern.compile("\\bclass \\w+ extends (\\w+)");

  private static boolean declares(String source, String method) {
    return Pattern.compile("void " + method + "\\(").matcher(source).find();
  }

  private static List<Path> testClasses(Path module) {
    List<Path> classes = new ArrayList<>();
    for (String pkg : List.of("multiplexing", "multiplexing/testkit", "docscheck")) {
      Path dir = module.resolve("src/test/java/" + pkg);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(classes::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return classes;
  }

  // Whether a word starts with -D outside double quotes ('-D...' and -Dx="y" count as outside).
  static boolean hasUnquotedProperty(String command) {
    boolean quoted = false;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && command.startsWith("-D", i)) {
        char before = i == 0 ? ' ' : command.charAt(i - 1);
        if (before == ' ' || before == '\'') {
          return true;
        }
      }
    }
    return false;
  }

  // Split on spaces; a double-quoted stretch is one word, without its quotes.
  static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    char quote = 0;
    for (char c : command.trim().toCharArray()) {
      if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else if (c == ' ' && quote == 0) {
        if (word.length() > 0) {
          words.add(word.toString());
          word.setLength(0);
        }
      } else {
        word.append(c);
      }
    }
    if (word.length() > 0) {
      words.add(word.toString());
    }
    return words;
  }
}
