package docscheck;

import static docscheck.DocsTest.expect;
import static docscheck.Page.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import multiplexing.grader.Chapter;
import multiplexing.grader.Sentences;
import org.junit.jupiter.api.Test;

/** What ./grade and docs/exercises.md tell a student, against the chapters and the tests. */
class GradingDocsTest {
  private static final List<String> EXERCISES =
      Repo.read(ROOT.resolve("docs/exercises.md")).lines().toList();
  private static final Pattern STEP = Pattern.compile("#{2,3} Step (\\d+): .*");
  private static final Pattern LESSON =
      Pattern.compile(
          "@Lesson\\((?:[^()]|\"[^\"]*\")*\\)"
              + "(?:\\s+@\\w+(?:\\([^)]*\\))?)*\\s+(?:void (\\w+)\\(|class \\w+ extends (\\w+))");
  private static final Pattern TEST =
      Pattern.compile("@Test(?:\\s+@\\w+(?:\\([^)]*\\))?)*\\s+void (\\w+)\\(");

  @Test
  void theSectionAFailedLessonLinksIsAHeadingOfBothChaptersThatQuotesTheSame() throws IOException {
    List<String> problems = new ArrayList<>();
    for (String step : Repo.steps(ROOT).subList(1, Repo.steps(ROOT).size())) {
      Page en = Page.read(ROOT.resolve("docs/" + step + ".md"));
      int at = Chapter.headings(en.path).indexOf(Chapter.SECTION);
      Path zh = ROOT.resolve("docs/zh/" + step + ".md");
      if (at < 0) {
        problems.add(
            en.at(1, "no heading '%s', which ./grade links; name the walk so", Chapter.SECTION));
      } else if (Files.exists(zh) && !quoted(Page.read(zh), at).equals(quoted(en, at))) {
        String fix = "the section ./grade links quotes %s; make it %s, as in English";
        problems.add(Page.read(zh).at(1, fix, quoted(Page.read(zh), at), quoted(en, at)));
      }
      for (String link : Chapter.links(ROOT, step)) {
        String[] parts = (link + "#").split("#");
        if (parts.length < 2 || !Page.read(ROOT.resolve(parts[0])).anchors.contains(parts[1])) {
          problems.add(link + ": ./grade links no heading GitHub has; give both the same headings");
        }
      }
    }
    expect("./grade links a section of each chapter, one GitHub has, in both languages", problems);
  }

  private static List<String> quoted(Page page, int section) {
    return page.blocks.stream()
        .filter(b -> b.section() == section && b.file() != null)
        .map(b -> b.kind() + ": " + b.file())
        .toList();
  }

  @Test
  void eachRebuildSectionListsExactlyTheLessonTestsThatFailFirst() {
    TreeMap<Integer, List<String>> listed = new TreeMap<>();
    TreeMap<Integer, List<String>> lessons = new TreeMap<>();
    boolean listing = false;
    for (String line : EXERCISES.subList(0, answers())) {
      Matcher section = STEP.matcher(line);
      if (section.matches()) {
        listed.put(Integer.valueOf(section.group(1)), new ArrayList<>());
      }
      listing =
          line.startsWith("The tests that fail first")
              || listing && (line.isBlank() || line.startsWith("- "));
      if (listing && line.startsWith("- ")) {
        listed.lastEntry().getValue().add(line.substring(2));
      }
    }
    for (String module : Repo.steps(ROOT).subList(1, Repo.steps(ROOT).size())) {
      lessons.put(
          Repo.stepNumber(module), lessonTests(module).stream().map(Sentences::of).toList());
    }
    assertThat(listed.keySet())
        .as("docs/exercises.md has a section for each step from 2 on")
        .isEqualTo(lessons.keySet());
    lessons.forEach(
        (n, sentences) ->
            assertThat(listed.get(n))
                .as(
                    "docs/exercises.md, step %d: 'The tests that fail first' lists the step's lesson tests"
                        + " as ./grade prints them",
                    n)
                .containsExactlyInAnyOrderElementsOf(sentences));
  }

  private static int answers() {
    return EXERCISES.indexOf(
        EXERCISES.stream().filter(l -> l.startsWith("## Answers")).findFirst().orElseThrow());
  }

  // A step's methods marked @Lesson, and every test of a contract that a class so marked extends.
  private static List<String> lessonTests(String module) {
    List<String> names = new ArrayList<>();
    for (Path file : Repo.files(ROOT.resolve(module + "/src/test/java"))) {
      for (Matcher m = LESSON.matcher(Repo.read(file)); m.find(); ) {
        if (m.group(1) != null) {
          names.add(m.group(1));
        } else {
          Path kit = ROOT.resolve("testkit/src/main/java/multiplexing/testkit/" + m.group(2));
          String contract = Repo.read(Path.of(kit + ".java"));
          TEST.matcher(contract).results().forEach(t -> names.add(t.group(1)));
        }
      }
    }
    return names;
  }

  @Test
  void everyChapterExerciseHasAnAnswerAndEveryAnswerAnExercise() {
    TreeMap<Integer, TreeSet<String>> answers = new TreeMap<>();
    TreeMap<Integer, TreeSet<String>> exercises = new TreeMap<>();
    for (String line : EXERCISES.subList(answers(), EXERCISES.size())) {
      Matcher section = STEP.matcher(line);
      Matcher answer = Pattern.compile("<summary><b>(.+?)</b></summary>").matcher(line);
      if (section.matches()) {
        answers.put(Integer.valueOf(section.group(1)), new TreeSet<>());
      } else if (answer.find() && !answers.isEmpty()) {
        answers.lastEntry().getValue().add(plain(answer.group(1)));
      }
    }
    for (String module : Repo.steps(ROOT)) {
      boolean in = false;
      for (String line : Repo.read(ROOT.resolve("docs/" + module + ".md")).lines().toList()) {
        Matcher title = Pattern.compile("^\\d+\\. \\*\\*(.+?)\\*\\*").matcher(line);
        in = line.startsWith("## ") ? line.equals("## Exercises") : in;
        if (in && title.find()) {
          exercises
              .computeIfAbsent(Repo.stepNumber(module), n -> new TreeSet<>())
              .add(plain(title.group(1)));
        }
      }
    }
    assertThat(answers)
        .as("docs/exercises.md answers the chapters' exercises, by step and title")
        .isEqualTo(exercises);
  }

  // A title as a reader sees it: without **, `, <b> and <code>.
  private static String plain(String title) {
    return title.replaceAll("</?(b|code)>|`|\\*", "").trim();
  }
}
