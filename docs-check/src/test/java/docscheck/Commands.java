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
    for (String command : commands(line)) {
      String why = checkOne(command);
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
        return maven(words.subList(1, words.size()));
      case "java":
        if (words.equals(List.of("java", "-version"))) {
          return null;
        }
        if (words.size() < 2) {
          return "java needs a source file";
        }
        Matcher m = SOURCE_LAUNCH.matcher(words.get(1));
        if (!m.matches()
            || !isStep(m.group(1))
            || !Files.isRegularFile(root.resolve(words.get(1)))) {
          return "not a step's EchoServer.java or EchoClient.java";
        }
        return arguments(m.group(1), m.group(2), words.subList(2, words.size()));
      case "diff":
        if (words.size() == 4
            && words.get(1).equals("-ruN")
            && words.get(2).endsWith("/src")
            && words.get(3).endsWith("/src")
            && isStep(words.get(2).replace("/src", ""))
            && isStep(words.get(3).replace("/src", ""))) {
          return null;
        }
        return "only `diff -ruN stepA/src stepB/src` is shown";
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

  // Commands a "try it" box may use around ours: making input, comparing output, limits.
  private static final Set<String> TOOLS =
      Set.of("printf", "head", "cmp", "ulimit", "ss", "python3");

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
      } else if (!List.of("-B", "-q", "verify", "test", "install", "-DskipTests", "spotless:apply")
          .contains(word)) {
        return "unknown word " + word;
      }
    }
    if (test != null && (module == null || !testExists(root, module, test))) {
      return "-Dtest needs -pl and a test that exists in that module";
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
    StringBuilder usage = new StringBuilder();
    Matcher m = STRING_LITERAL.matcher(source.substring(start, source.indexOf(';', start)));
    while (m.find()) {
      usage.append(m.group(1));
    }
    return usage.toString();
  }

  private boolean isStep(String module) {
    return modules.contains(module) && module.matches("step\\d+-.*");
  }

  /**
   * Class#method (or Class alone) is a test in that module, or in any step if module is null. A
   * step's test class that extends testkit's EchoContract also runs the contract's tests, so they
   * count as its own; EchoContract#method names one of those in any step that extends it.
   */
  static boolean testExists(Path root, String module, String name) {
    String[] parts = name.split("#", 2);
    String contract = Repo.read(root.resolve(CONTRACT));
    for (String m : Repo.modules(root)) {
      if (module != null && !module.equals(m)) {
        continue;
      }
      for (Path file : testClasses(root.resolve(m))) {
        String source = Repo.read(file);
        boolean extendsContract = source.contains("extends " + CONTRACT_CLASS + " ");
        String simple = file.getFileName().toString().replace(".java", "");
        if (!simple.equals(parts[0]) && !(parts[0].equals(CONTRACT_CLASS) && extendsContract)) {
          continue;
        }
        if (parts.length == 1
            || declares(source, parts[1])
            || (extendsContract && declares(contract, parts[1]))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Where every step's EchoServerTest finds the tests all steps share. */
  static final String CONTRACT = "testkit/src/main/java/multiplexing/testkit/EchoContract.java";

  private static final String CONTRACT_CLASS = "EchoContract";

  private static boolean declares(String source, String method) {
    return Pattern.compile("void " + method + "\\(").matcher(source).find();
  }

  private static List<Path> testClasses(Path module) {
    List<Path> classes = new ArrayList<>();
    for (String pkg : List.of("multiplexing", "docscheck")) {
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
