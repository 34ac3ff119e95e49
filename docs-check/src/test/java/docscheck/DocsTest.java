package docscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Everything docs/ claims about the code is checked against the code, so the two cannot drift. */
class DocsTest {
  private static final Path ROOT = Repo.root();
  private static final String REGENERATE = "run `" + Repo.REGENERATE + "` and commit the result";
  private static final Pattern TEST_NAME =
      Pattern.compile("\\b([A-Z]\\w*(?:Test|Contract))[#.]([a-z]\\w*)\\b");
  private static final Pattern HUNK_HEADER = Pattern.compile("@@ -\\d+,\\d+ \\+\\d+,\\d+ @@");
  private static final Set<String> DIAGRAMS = Set.of("sequenceDiagram", "stateDiagram-v2");

  private static List<Markdown> pages() throws IOException {
    return Markdown.pages(ROOT).stream().map(Markdown::read).toList();
  }

  @Test
  void theStepDiffsAreTheOnesTheGeneratorWritesNow() throws IOException {
    assertGenerated(StepDiffs.DIR, StepDiffs.generate(ROOT));
  }

  @Test
  void theTranscriptsAreWhatARunOfEachStepShowsNow() throws Exception {
    assertGenerated(Transcripts.DIR, Transcripts.generate(ROOT));
  }

  private static void assertGenerated(String dir, Map<String, String> expected) throws IOException {
    Set<String> onDisk = new TreeSet<>();
    try (Stream<Path> walk = Files.walk(ROOT.resolve(dir))) {
      // The pictures beside the recordings are TracePictureTest's to check.
      walk.filter(p -> Files.isRegularFile(p) && !p.toString().endsWith(".svg"))
          .forEach(p -> onDisk.add(ROOT.relativize(p).toString().replace('\\', '/')));
    }
    assertThat(onDisk).as("the files in %s; %s", dir, REGENERATE).isEqualTo(expected.keySet());
    // A demonstration's whole trace is a recording, for its picture: its counts differ from run
    // to run, so it is never compared with a new one.
    expected.entrySet().stream()
        .filter(file -> !file.getKey().endsWith(Demonstrations.TRACE))
        .forEach(
            file ->
                assertThat(Repo.read(ROOT.resolve(file.getKey())))
                    .as("%s is stale; %s", file.getKey(), REGENERATE)
                    .isEqualTo(file.getValue()));
  }

  @Test
  void everyJavaDiffAndTranscriptBlockNamesItsSourceAndMatchesIt() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Markdown page : pages()) {
      for (Markdown.Block block : page.blocks) {
        if (!Set.of("java", "diff", "text").contains(block.lang())
            || "sketch".equals(block.kind())) {
          continue;
        }
        if (block.path() == null
            || !Set.of("excerpt", "include").contains(block.kind())
            || !Files.isRegularFile(ROOT.resolve(block.path()))) {
          problems.add(
              block.where()
                  + ": a ```"
                  + block.lang()
                  + " block needs <!-- excerpt: FILE --> or <!-- include: FILE --> naming an"
                  + " existing file (or <!-- sketch --> if it is not from the code)");
          continue;
        }
        List<String> source = Repo.read(ROOT.resolve(block.path())).lines().toList();
        boolean ok =
            block.kind().equals("include")
                ? source.equals(block.lines())
                : Excerpts.contains(source, block.lines());
        if (!ok) {
          problems.add(
              block.where()
                  + ": this block is not "
                  + (block.kind().equals("include") ? "the whole of " : "a passage of ")
                  + block.path()
                  + " any more; copy it afresh from that file");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Markdown page : pages()) {
      for (String target : page.links) {
        if (target.matches("^[a-z]+:.*")) {
          continue;
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved =
            file.isEmpty() ? page.page : page.page.getParent().resolve(file).normalize();
        if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
          problems.add(page.page + ": no such file: " + target);
        } else if (anchor != null
            && !(resolved.toString().endsWith(".md")
                && Markdown.read(resolved).anchors.contains(anchor))) {
          problems.add(page.page + ": no heading for #" + anchor + " in " + resolved);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyCommandIsOneThatWorks() throws IOException {
    List<String> problems = new ArrayList<>();
    Commands commands = new Commands(ROOT);
    for (Markdown page : pages()) {
      List<String> candidates = new ArrayList<>();
      for (Markdown.Block block : page.blocks) {
        if (block.lang().equals("sh")) {
          block.lines().stream()
              .filter(l -> !l.isBlank() && !l.startsWith("#"))
              .forEach(candidates::add);
        }
      }
      for (String span : page.code) {
        if (span.matches("^(\\./mvnw|java|diff) .*")) {
          candidates.add(span);
        }
      }
      for (String command : candidates) {
        String why = commands.check(command);
        if (why != null) {
          problems.add(page.page + ": `" + command + "`: " + why);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyHunkHeaderTheProseCitesIsInAGeneratedDiff() throws IOException {
    Set<String> headers = new TreeSet<>();
    for (String diff : StepDiffs.generate(ROOT).values()) {
      diff.lines().filter(l -> l.startsWith("@@ ")).forEach(headers::add);
    }
    List<String> problems = new ArrayList<>();
    for (Markdown page : pages()) {
      for (String span : page.code) {
        if (HUNK_HEADER.matcher(span).matches() && !headers.contains(span)) {
          problems.add(
              page.page + ": no hunk " + span + " in docs/diffs: cite the hunks as they are now");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyTestTheDocsNameExists() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Markdown page : pages()) {
      // A chapter names tests of its own step, or of the step before (its "problem"); any page
      // may name the client's tests, which run once, in the testkit.
      List<String> steps = Repo.steps(ROOT);
      String chapter = page.page.getFileName().toString().replace(".md", "");
      int at = steps.indexOf(chapter);
      List<String> where =
          new ArrayList<>(at < 0 ? steps : steps.subList(Math.max(0, at - 1), at + 1));
      where.add("testkit");
      for (String name : testNames(page)) {
        if (where.stream().noneMatch(step -> Commands.testExists(ROOT, step, name))) {
          problems.add(page.page + ": no test " + name + " in " + where);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  private static Set<String> testNames(Markdown page) {
    Set<String> names = new TreeSet<>();
    for (String line : page.prose) {
      Matcher m = TEST_NAME.matcher(line);
      while (m.find()) {
        // EchoServerTest.java is a file, not a method.
        if (!m.group(2).equals("java")) {
          names.add(m.group(1) + "#" + m.group(2));
        }
      }
    }
    return names;
  }

  @Test
  void everyEnglishPageHasAChinesePageInStepWithIt() throws IOException {
    List<String> problems = new ArrayList<>();
    Path docs = ROOT.resolve("docs");
    for (Path english : Markdown.pages(ROOT)) {
      if (english.startsWith(docs.resolve("zh")) || !english.startsWith(docs)) {
        continue;
      }
      Path chinese = docs.resolve("zh").resolve(docs.relativize(english));
      if (!Files.exists(chinese)) {
        problems.add("no Chinese page " + chinese);
        continue;
      }
      Markdown en = Markdown.read(english);
      Markdown zh = Markdown.read(chinese);
      if (!sources(en).equals(sources(zh))) {
        problems.add(chinese + " quotes " + sources(zh) + " but the English page " + sources(en));
      }
      if (headings(en) != headings(zh)) {
        problems.add(chinese + " has " + headings(zh) + " headings, English " + headings(en));
      }
      if (!testNames(en).equals(testNames(zh))) {
        problems.add(chinese + " names tests " + testNames(zh) + ", English " + testNames(en));
      }
    }
    assertThat(problems).isEmpty();
  }

  private static int headings(Markdown page) {
    return page.anchors.size();
  }

  // The same excerpts, transcripts, diffs and diagrams, in the same order.
  private static List<String> sources(Markdown page) {
    return page.blocks.stream()
        .filter(b -> b.path() != null || b.lang().equals("mermaid"))
        .map(b -> b.path() != null ? b.kind() + ":" + b.path() : "mermaid")
        .toList();
  }

  @Test
  void everyMermaidBlockStartsWithADiagramTypeGitHubRenders() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Markdown page : pages()) {
      for (Markdown.Block block : page.blocks) {
        if (block.lang().equals("mermaid")) {
          String first = block.lines().isEmpty() ? "" : block.lines().get(0).trim();
          if (!DIAGRAMS.contains(first) && !first.matches("flowchart (TD|LR)")) {
            problems.add(block.where() + ": unexpected diagram type '" + first + "'");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /** A chapter stays readable in ten minutes: its prose, without code, diffs and transcripts. */
  static final int MOST_WORDS_PER_CHAPTER = 1_800;

  @Test
  void everyEnglishChapterHasAtMost1800WordsOfProse() throws IOException {
    List<String> problems = new ArrayList<>();
    for (String step : Repo.steps(ROOT)) {
      Path chapter = ROOT.resolve("docs").resolve(step + ".md");
      int words = Markdown.read(chapter).words();
      if (words > MOST_WORDS_PER_CHAPTER) {
        problems.add(
            chapter + ": " + words + " words of prose, more than " + MOST_WORDS_PER_CHAPTER);
      }
    }
    assertThat(problems).isEmpty();
  }

  // Words from the workshop, not from the lesson: the Python tutorial is "the Python tutorial".
  private static final Pattern INTERNAL =
      Pattern.compile("(?i)\\bseed\\b|\\btargets?\\b|\\bissue #?\\d+|(?<![\\w.-])#\\d+\\b(?!-)");

  @Test
  void noPageAStudentReadsUsesTheWorkshopsOwnWords() throws IOException {
    List<String> problems = new ArrayList<>();
    Path docs = ROOT.resolve("docs");
    for (Path page : Markdown.pages(ROOT)) {
      // The bench's pages are written by the bench, and checked there.
      if (page.startsWith(docs.resolve("bench")) || page.startsWith(docs.resolve("zh/bench"))) {
        continue;
      }
      List<String> lines = Repo.read(page).lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = INTERNAL.matcher(lines.get(i));
        if (m.find()) {
          problems.add(page + ":" + (i + 1) + ": '" + m.group() + "'");
        }
      }
    }
    assertThat(problems).isEmpty();
  }
}
