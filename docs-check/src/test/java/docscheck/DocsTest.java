package docscheck;

import static docscheck.Page.ROOT;
import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the guide says about the code is checked against the code, so the two cannot drift. */
class DocsTest {
  private static final String REGENERATE = "run `" + Repo.REGENERATE + "` and commit the result";
  private static final Pattern TEST =
      Pattern.compile("\\b([A-Z]\\w*(Test|Contract))[#.]([a-z]\\w*)");
  private static final Pattern HUNK = Pattern.compile("@@ -\\d+,\\d+ \\+\\d+,\\d+ @@");
  private static final String DIAGRAMS = "sequenceDiagram|stateDiagram-v2|flowchart (TD|LR)";
  // Words from the workshop, not from the lesson: the Python tutorial is "the Python tutorial".
  private static final Pattern WORKSHOP =
      Pattern.compile("(?i)\\bseed\\b|\\btargets?\\b|\\bissue #?\\d+|(?<![\\w.-])#\\d+\\b(?!-)");
  private static final Path GLOSSARY = ROOT.resolve("docs/zh/glossary.md");

  static void expect(String what, List<String> problems) {
    assertThat(problems).as(what).isEmpty();
  }

  @ParameterizedTest(name = "{0} holds what the generator writes now")
  @ValueSource(strings = {StepDiffs.DIR, Transcripts.DIR})
  void theGeneratedFilesAreTheOnesTheGeneratorWritesNow(String dir) throws Exception {
    Map<String, String> files =
        dir.equals(StepDiffs.DIR) ? StepDiffs.generate(ROOT) : Transcripts.generate(ROOT);
    List<String> names = // the pictures: TracePictureTest's
        Repo.files(ROOT.resolve(dir)).stream()
            .map(p -> Repo.name(ROOT, p))
            .filter(name -> !name.endsWith(".svg"))
            .toList();
    assertThat(names)
        .as("the files the generator writes; " + REGENERATE)
        .containsExactlyInAnyOrderElementsOf(files.keySet());
    for (Map.Entry<String, String> file : files.entrySet()) {
      // A demonstration's whole trace is a recording, for its picture: its counts vary by run.
      if (!file.getKey().endsWith(Demonstrations.TRACE)) {
        String now = Repo.read(ROOT.resolve(file.getKey()));
        assertThat(now).as("%s is stale; %s", file.getKey(), REGENERATE).isEqualTo(file.getValue());
      }
    }
  }

  /** What every page should be, and the check that adds each page's problems. */
  private static final Map<String, BiConsumer<Page, List<String>>> CHECKS = new LinkedHashMap<>();

  static {
    CHECKS.put("each quoted block is a passage or the whole of its file", DocsTest::quotes);
    CHECKS.put("links reach files and headings; Chinese pages, Chinese ones", DocsTest::links);
    CHECKS.put("a hunk header cited in the prose is one of docs/diffs/", DocsTest::hunks);
    CHECKS.put("a test named is in its step, the step before or the testkit", DocsTest::tests);
    CHECKS.put("an English page has a Chinese twin of the same shape", DocsTest::twins);
    CHECKS.put("a Mermaid diagram starts with a type GitHub renders", DocsTest::diagrams);
    CHECKS.put("an English chapter has at most 1,800 words outside <details>", DocsTest::words);
    CHECKS.put("no page a student reads speaks of seeds, targets or issues", DocsTest::workshop);
    CHECKS.put("a Chinese page uses the glossary's terms, not those it rejects", DocsTest::terms);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("checks")
  void everyPage(String what) {
    List<String> problems = new ArrayList<>();
    Page.all().forEach(page -> CHECKS.get(what).accept(page, problems));
    expect(what, problems.stream().distinct().toList());
  }

  static Set<String> checks() {
    return CHECKS.keySet();
  }

  private static void quotes(Page p, List<String> problems) {
    for (Page.Block b : p.blocks) {
      Path file = ROOT.resolve(b.file() == null ? "-" : b.file());
      if (!Set.of("java", "diff", "text").contains(b.lang()) || "sketch".equals(b.kind())) {
        continue;
      } else if (!Set.of("excerpt", "include").contains(b.kind()) || !Files.isRegularFile(file)) {
        problems.add(
            p.at(
                b.line(),
                "mark it <!-- excerpt: FILE -->, <!-- include: FILE -->"
                    + " or <!-- sketch -->, naming a file that exists"));
      } else if (!(b.kind().equals("include")
          ? lines(file).equals(b.lines())
          : isExcerpt(lines(file), b.lines()))) {
        problems.add(p.at(b.line(), "no longer in %s; copy it afresh from there", b.file()));
      }
    }
  }

  private static List<String> lines(Path file) {
    return Repo.read(file).lines().toList();
  }

  /**
   * The quote's runs (split at {@code // ...} lines, which elide) are in the source in order, each
   * maybe indented otherwise as a whole (quotes stand flush left) but not re-indented inside.
   */
  static boolean isExcerpt(List<String> source, List<String> quote) {
    int from = 0;
    for (String run : String.join("\n", quote).split("(?m)^[ \\t]*// \\.\\.\\.[ \\t]*(\n|$)")) {
      List<String> want = dedent(run.lines().toList());
      while (from + want.size() <= source.size()
          && !dedent(source.subList(from, from + want.size())).equals(want)) {
        from++;
      }
      if (from + want.size() > source.size()) {
        return false;
      }
      from += want.size();
    }
    return true;
  }

  private static List<String> dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String line : lines) {
      indent = line.isBlank() ? indent : Math.min(indent, line.indexOf(line.strip()));
    }
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
    }
    return out;
  }

  private static void links(Page p, List<String> problems) {
    for (Page.Span link : p.links) {
      if (link.text().matches("[a-z]+:.*")) {
        continue;
      }
      String[] parts = link.text().split("#", 2);
      Path file =
          p.path.resolveSibling(parts[0].isEmpty() ? p.path.toString() : parts[0]).normalize();
      boolean page = file.toString().endsWith(".md") && Files.exists(file);
      if (!file.startsWith(ROOT) || !Files.exists(file)) {
        problems.add(p.at(link.line(), "no file %s; link one that exists", parts[0]));
      } else if (parts.length > 1 && !(page && Page.read(file).anchors.contains(parts[1]))) {
        problems.add(p.at(link.line(), "no heading #%s in %s; link one it has", parts[1], file));
      } else if (p.chinese() && page && !Page.read(file).chinese()) {
        String twin = twin(file).equals(file) ? "drop it" : "link " + ROOT.relativize(twin(file));
        problems.add(p.at(link.line(), "links the English %s; %s", ROOT.relativize(file), twin));
      }
    }
  }

  // The bench's generated results: numbers only, which need no translation.
  private static boolean bench(Path page) {
    return page.startsWith(ROOT.resolve("docs/bench"));
  }

  /** The English page's Chinese twin, the Chinese page's English one; any other page itself. */
  static Path twin(Path page) {
    String name = Repo.name(ROOT, page);
    if (name.startsWith("README")) {
      return ROOT.resolve(name.equals("README.md") ? "README.zh-CN.md" : "README.md");
    }
    return ROOT.resolve(
        name.startsWith("docs/zh/")
            ? name.replace("docs/zh/", "docs/")
            : name.startsWith("docs/") ? name.replace("docs/", "docs/zh/") : name);
  }

  private static void hunks(Page p, List<String> problems) {
    String diffs =
        Repo.files(ROOT.resolve(StepDiffs.DIR)).stream().map(Repo::read).collect(joining());
    for (Page.Span s : p.code) {
      if (HUNK.matcher(s.text()).matches() && !diffs.contains("\n" + s.text() + "\n")) {
        problems.add(p.at(s.line(), "no hunk %s in docs/diffs/; cite it as it is now", s.text()));
      }
    }
  }

  private static void tests(Page p, List<String> problems) {
    // A chapter names tests of its own step or of the step before (its "problem"); any page may
    // name the client's tests, which run once, in the testkit.
    List<String> steps = Repo.steps(ROOT);
    int at = steps.indexOf(p.path.getFileName().toString().replace(".md", ""));
    List<String> where =
        new ArrayList<>(at < 0 ? steps : steps.subList(Math.max(0, at - 1), at + 1));
    where.add("testkit");
    for (Map.Entry<String, Integer> test : testNames(p).entrySet()) {
      if (where.stream().noneMatch(module -> testExists(module, test.getKey()))) {
        problems.add(
            p.at(test.getValue(), "no test %s in %s; name one there", test.getKey(), where));
      }
    }
  }

  /** The tests named in a page's text and code, each with the first line that names it. */
  static Map<String, Integer> testNames(Page page) {
    Map<String, Integer> names = new LinkedHashMap<>();
    for (Page.Span s : Stream.concat(page.text.stream(), page.code.stream()).toList()) {
      for (Matcher m = TEST.matcher(s.text()); m.find(); ) {
        if (!m.group(3).equals("java")) { // EchoServerTest.java is a file
          names.merge(m.group(1) + "#" + m.group(3), s.line(), Math::min);
        }
      }
    }
    return names;
  }

  /**
   * Class#method (or Class) is a test of the module: in its test class, or in the testkit contract
   * (EchoContract, AcceptFailureContract) that a class extends, whose tests it runs as its own.
   */
  static boolean testExists(String module, String name) {
    String[] wanted = (name + "#").split("#");
    String method = wanted.length > 1 ? "void " + wanted[1] + "(" : "";
    for (Path file : Repo.files(ROOT.resolve(module + "/src/test/java"))) {
      Matcher parent = Pattern.compile("class \\w+ extends (\\w+)").matcher(Repo.read(file));
      String contract = parent.find() ? parent.group(1) : "-";
      Path kit = ROOT.resolve("testkit/src/main/java/multiplexing/testkit/" + contract + ".java");
      boolean named = file.getFileName().toString().equals(wanted[0] + ".java");
      if (named && Repo.read(file).contains(method)
          || Files.exists(kit)
              && (named || contract.equals(wanted[0]))
              && Repo.read(kit).contains(method)) {
        return true;
      }
    }
    return false;
  }

  private static void twins(Page en, List<String> problems) {
    Path twin = twin(en.path);
    if (en.chinese() || bench(en.path) || twin.equals(en.path)) {
      return;
    } else if (!Files.exists(twin)) {
      problems.add(ROOT.relativize(twin) + ": missing; translate " + en.name);
      return;
    }
    Page zh = Page.read(twin);
    List<?> ours = List.of(sources(en), en.anchors.size(), testNames(en).keySet());
    List<?> theirs = List.of(sources(zh), zh.anchors.size(), testNames(zh).keySet());
    String[] what = {"quotes and diagrams", "number of headings", "tests named"};
    for (int i = 0; i < what.length; i++) {
      if (!ours.get(i).equals(theirs.get(i))) {
        String fix = "give it the %s of %s: %s, not %s";
        problems.add(zh.at(1, fix, what[i], en.name, ours.get(i), theirs.get(i)));
      }
    }
  }

  // The excerpts, transcripts, diffs and diagrams a page shows, in order.
  private static List<String> sources(Page page) {
    List<String> sources = new ArrayList<>();
    for (Page.Block b : page.blocks) {
      if (b.file() != null || b.lang().equals("mermaid")) {
        sources.add(b.file() == null ? "mermaid" : b.kind() + ":" + b.file());
      }
    }
    return sources;
  }

  private static void diagrams(Page p, List<String> problems) {
    for (Page.Block b : p.blocks) {
      String first = b.lines().isEmpty() ? "" : b.lines().get(0).trim();
      if (b.lang().equals("mermaid") && !first.matches(DIAGRAMS)) {
        problems.add(p.at(b.line(), "start it with one of %s", DIAGRAMS));
      }
    }
  }

  private static void words(Page p, List<String> problems) {
    if (Repo.steps(ROOT).contains(p.name.replaceAll("^docs/|\\.md$", "")) && p.words > 1_800) {
      problems.add(p.at(1, "%d words of prose; cut to 1,800 or fold some in <details>", p.words));
    }
  }

  private static void workshop(Page p, List<String> problems) {
    List<String> lines = bench(p.path) ? List.of() : lines(p.path);
    for (int i = 0; i < lines.size(); i++) {
      for (Matcher m = WORKSHOP.matcher(lines.get(i)); m.find(); ) {
        problems.add(p.at(i + 1, "'%s' is the workshop's word; say it as students do", m.group()));
      }
    }
  }

  private static void terms(Page p, List<String> problems) {
    Map<String, String> rejected = rejected(Files.exists(GLOSSARY) ? Repo.read(GLOSSARY) : "");
    if (rejected.isEmpty()) {
      problems.add("docs/zh/glossary.md: missing, or no column headed 不用 lists what to reject");
    }
    for (Page.Span text : p.chinese() && !p.path.equals(GLOSSARY) ? p.text : List.<Page.Span>of()) {
      for (Map.Entry<String, String> variant : rejected.entrySet()) {
        if (text.text().contains(variant.getKey())) {
          problems.add(
              p.at(text.line(), "write '%s', not '%s'", variant.getValue(), variant.getKey()));
        }
      }
    }
  }

  /** Each variant in a column headed 不用 (separated by 、), to the term in its row's first cell. */
  static Map<String, String> rejected(String glossary) {
    Map<String, String> rejected = new LinkedHashMap<>();
    int column = -1;
    for (String line : glossary.lines().toList()) {
      List<String> cells =
          List.of(line.startsWith("|") ? line.split("\\s*\\|\\s*") : new String[0]);
      column = cells.contains("不用") ? cells.indexOf("不用") : cells.isEmpty() ? -1 : column;
      for (String v :
          column > 0 && column < cells.size() ? cells.get(column).split("、") : new String[0]) {
        if (!v.matches("-*|不用")) {
          rejected.put(v, cells.get(1));
        }
      }
    }
    return rejected;
  }
}
