package docscheck;

import static docscheck.DocsTest.expect;
import static docscheck.Page.ROOT;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The guide's commands, as a student copies them: all checked for form, the quick ones run. */
class GuideCommandsTest {
  private static final Pattern INLINE =
      Pattern.compile("(\\./mvnw|\\./grade|java|diff|bench/run|\\(?ulimit -\\w+ \\d+ &&) \\S.*");
  // The server or client a command starts, and the arguments it gives it.
  private static final Pattern JAVA =
      Pattern.compile("java (?:-X\\S+ )*(\\S+/Echo(?:Server|Client)\\.java)([^|)]*)");
  // ./mvnw ... exec:java as the java command it stands for.
  private static final String EXEC =
      "^.*-pl (step\\S+) .*exec:java \"-Dexec.mainClass=multiplexing.(\\w+)\"(?: \"-Dexec.args=([^\"]*)\")?.*";

  /**
   * The rules of form, one a line: WHEN => MUST => FIX. Where WHEN is found in a command, MUST is
   * found too, or FIX says what to do. MUST is a pattern, "!" (never) or a test of what WHEN
   * matched ($1, $2): @module, @test (of a module), @file, @next (step), @same (step).
   */
  private static final String RULES =
      """
      (^| )'?-D => ! => quote each -D argument whole in double quotes, "-Dtest=...", as PowerShell splits -Dexec.args=... at the dot
      ulimit => ^[(]ulimit [^()]*[)]$ => run ulimit in a subshell, (ulimit -n 96 && ...), or it lowers the shell's own limit for good
      ^[.]/mvnw( .*)? install( |$) => ! => drop install: -am builds the testkit each time, and an installed one goes stale
      ^[.]/mvnw .*-pl step.*( test|exec:java) => -am( |$) => add -am after -pl: a fresh clone has no testkit in its Maven repository
      -pl docs-check .*exec:java => ! => regenerate with ./mvnw -q -pl docs-check -am compile -Pregenerate
      exec:java => -pl [^ ]+ .*compile exec:java => run exec:java as -pl MODULE compile exec:java, or it runs stale classes or none
      -pl ([^ ]+) => @module $1 => name a module of the root pom after -pl
      -pl ([^ ]+) .*"-Dtest=([^"]+)" => @test $1 $2 => name in -Dtest a test of that module
      ^([.]/[^ ]+|bench/run) => @file $1 => name a script of the repository
      java (-X[^ ]+ )*([^ ]+[.]java) => @file $2 => name a source file of the repository
      socket|(^| )(nc|socat) => 127[.]0[.]0[.]1[^0-9]+9999 => talk to the server where the guide starts it, 127.0.0.1 port 9999
      ^diff => ^diff (-u step[^ /]+/SERVER step[^ /]+/SERVER|-ruN step[^ /]+/src/test step[^ /]+/src/test)$ => show a step's lesson in two diffs: diff -u of the two servers and diff -ruN stepA/src/test stepB/src/test
      (^| )tee( |$) => [|] tee run[.]txt$ => record the session with | tee run.txt, the file the drawing command reads
      TracePicture => ^java docs-check/src/main/java/docscheck/TracePicture[.]java (--lang=zh )?run[.]txt run[.]svg$ => draw the recorded session: java docs-check/src/main/java/docscheck/TracePicture.java [--lang=zh] run.txt run.svg
      (^| )cp  => cp -n step[^ ]+/SERVER mine/step[0-9]+/ => copy a step's server into mine/stepN/ with cp -n, which never overwrites a copy
      step([0-9]+)-[^ ]+ mine/step([0-9]+)/ => @next $1 $2 => copy into mine/stepN/ the server of the step right before N
      ^[.]/grade [^-] => ^[.]/grade ([0-9]+ mine/step[0-9]+/EchoServer[.]java|step[^ ]+ step[^ ]+/SERVER)$ => grade step N on mine/stepN/EchoServer.java
      ^[.]/grade ([0-9]+) mine/step([0-9]+)/ => @same $1 $2 => grade step N, 2 to 7, on mine/stepN/EchoServer.java
      ^bench/run => ^bench/run( --quick)?$ => run bench/run with --quick or nothing
      """
          .replace("SERVER", "src/main/java/multiplexing/EchoServer[.]java");

  static List<String> check(String command) {
    List<String> fixes = new ArrayList<>();
    for (String[] rule : RULES.lines().map(rule -> rule.split(" => ")).toList()) {
      Matcher m = Pattern.compile(rule[0]).matcher(command);
      if (m.find() && !holds(rule[1], m, command)) {
        fixes.add(rule[2]);
      }
    }
    return fixes;
  }

  private static boolean holds(String must, Matcher m, String command) {
    for (int group = m.groupCount(); group > 0; group--) {
      must = must.replace("$" + group, String.valueOf(m.group(group)));
    }
    String[] test = must.split(" ");
    List<String> steps = Repo.steps(ROOT).stream().map(s -> s.replaceAll("-.*", "")).toList();
    return switch (test[0]) {
      case "!" -> false;
      case "@module" -> Repo.modules(ROOT).contains(test[1]);
      case "@test" -> DocsTest.testExists(test[1], test[2]);
      case "@file" -> Files.exists(ROOT.resolve(test[1]));
      case "@next" -> Integer.parseInt(test[2]) == Integer.parseInt(test[1]) + 1;
      case "@same" ->
          test[1].equals(test[2]) && !test[1].equals("1") && steps.contains("step" + test[1]);
      default -> Pattern.compile(must).matcher(command).find();
    };
  }

  record Command(String at, String text) {}

  static List<Command> commands() {
    List<Command> commands = new ArrayList<>();
    for (Page page : Page.all()) {
      for (Page.Block b : page.blocks) {
        for (int i = 0; b.lang().equals("sh") && i < b.lines().size(); i++) {
          String line = b.lines().get(i).replaceFirst("\\s+# .*", "").trim(); // without a comment
          if (!line.isEmpty() && !line.startsWith("#")) {
            commands.add(new Command(page.at(b.line() + i), line));
          }
        }
      }
      for (Page.Span s : page.code) {
        if (INLINE.matcher(s.text()).matches()) {
          commands.add(new Command(page.at(s.line()), s.text()));
        }
      }
    }
    return commands;
  }

  @Test
  void everyCommandHasAFormThatWorksOnAFreshCloneInShCmdAndPowerShell() {
    List<Command> commands = commands();
    List<String> problems = new ArrayList<>();
    for (Command c : commands) {
      check(c.text()).forEach(fix -> problems.add(c.at() + ": `" + c.text() + "`: " + fix));
    }
    for (Page page : Page.all()) {
      List<String> twins = new ArrayList<>();
      commands.stream()
          .filter(c -> c.at().startsWith(page.name + ":"))
          .forEach(c -> twins.add(cmd(c.text())));
      for (Page.Block b : page.blocks) {
        for (int i = 0; b.lang().equals("bat") && i < b.lines().size(); i++) {
          String line = b.lines().get(i).trim();
          if (!line.isEmpty()
              && !(twins.contains(line) && Files.exists(ROOT.resolve("grade.cmd")))) {
            problems.add(
                page.at(b.line() + i) + ": `" + line + "`: write the cmd twin of a sh command");
          }
        }
      }
    }
    expect(
        "every command has a form that works on a fresh clone, in sh, cmd and PowerShell",
        problems);
  }

  /** The sh command as Windows' cmd writes it: mkdir, copy, grade.cmd, &, backslashes. */
  static String cmd(String sh) {
    String cmd = sh.replace("mkdir -p ", "mkdir ").replace("cp -n ", "copy ");
    return cmd.replace("./grade ", "grade.cmd ").replace(" && ", " & ").replace('/', '\\');
  }

  @Test
  @DisabledOnOs(value = OS.WINDOWS, disabledReason = "the guide's commands are for sh")
  void everyCommandThatBindsNoPortRunsAndEveryProgramTakesTheOptionsItIsGiven() throws IOException {
    List<String> problems = new ArrayList<>();
    Path clone = freshClone(problems);
    Map<String, String> probes = new TreeMap<>(); // what to run, and where the guide has it
    List<String[]> given = new ArrayList<>(); // where, the command, its program's --help, options
    for (Command c : commands()) {
      String line = c.text();
      Matcher grade = Pattern.compile("\\./grade (\\d+) (\\S+)").matcher(line);
      String server =
          line.contains("exec.mainClass") ? "" : " \"-Dexec.mainClass=multiplexing.EchoServer\"";
      String java = line.replace("exec:java", "exec:java" + server);
      Matcher program =
          JAVA.matcher(java.replaceFirst(EXEC, "java $1/src/main/java/multiplexing/$2.java $3"));
      if (line.matches("(mkdir|cp|diff) [^|;<>]*")) {
        // In page order, at once: a later ./grade reads what a cp made. diff says 1 if they differ.
        run(
            clone,
            line + (line.startsWith("diff") ? " >/dev/null; [ $? = 1 ]" : ""),
            c.at(),
            problems);
      } else if (grade.matches()) { // the step taken, a missing file refused: a whole grade is slow
        String refused = " && ./grade " + grade.group(1) + " no/EchoServer.java 2>&1 | grep -F no/";
        probes.putIfAbsent("test -f " + grade.group(2) + refused, c.at());
      } else if (line.matches("\\./grade -.*|java -version|java \\S+/TracePicture\\.java .*")) {
        probes.putIfAbsent(
            line.replaceFirst("run\\.svg$", "run.svg && grep -q '<svg' run.svg"), c.at());
      }
      if (program.find() && program.group(2).contains("-")) { // its usage lists what it is given
        String help = "java " + program.group(1) + " --help";
        probes.putIfAbsent(help, c.at());
        given.add(new String[] {c.at(), line, help, program.group(2)});
      }
    }
    Files.copy(
        ROOT.resolve("docs/transcripts/step3-read-write-split/server-trace.txt"),
        clone.resolve("run.txt"));
    Map<String, String> usage = new ConcurrentHashMap<>();
    probes.keySet().parallelStream()
        .forEach(probe -> usage.put(probe, run(clone, probe, probes.get(probe), problems)));
    for (String[] g : given) {
      // --trace, --linger= as its usage has them: [--linger=S]
      for (String option : g[3].split(" ")) {
        String listed = "[" + option.replaceAll("=.*", "=");
        if (option.startsWith("-") && !usage.get(g[2]).contains(listed)) {
          problems.add(g[0] + ": `" + g[1] + "`: `" + g[2] + "` lists no " + option + "; drop it");
        }
      }
    }
    expect(
        "every command that binds no port runs, and every program takes the options it is given",
        problems);
  }

  /** Runs the line with bash in the folder: what it printed; a problem if it failed. */
  static String run(Path dir, String line, String at, List<String> problems) {
    try {
      Path out = Files.createTempFile(dir.getParent(), "run", ".txt");
      ProcessBuilder bash = new ProcessBuilder("bash", "-c", line).directory(dir.toFile());
      // A lighter JIT for these short runs; the guide's commands stand as they are.
      bash.environment().put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
      Process p = bash.redirectErrorStream(true).redirectOutput(out.toFile()).start();
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      int exit = p.destroyForcibly().waitFor();
      String printed = Files.readString(out).replaceAll("Picked up JAVA_TOOL_OPTIONS.*\n", "");
      Files.delete(out);
      if (!ended || exit != 0) {
        synchronized (problems) {
          problems.add(at + ": `" + line + "` failed (exit " + exit + "): " + printed.strip());
        }
      }
      return printed;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  // A fresh folder of links to what is at the repository's top: what commands write stays there.
  private static Path freshClone(List<String> problems) throws IOException {
    Path clone = Files.createDirectories(ROOT.resolve("docs-check/target/guide-run/clone"));
    String links =
        "for f in '%s'/*; do [ \"${f##*/}\" = mine ] || ln -s \"$f\"; done".formatted(ROOT);
    run(clone, "rm -rf * && " + links, "docs-check", problems); // rm removes links, not their files
    return clone;
  }
}
