package docscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What ./grade and docs/exercises.md tell a student, checked against the pages and the tests: the
 * commands, the chapter sections a failed lesson links, the failing tests each exercise names, and
 * an answer for every chapter exercise.
 */
class GradingDocsTest {
  private static final Path ROOT = Repo.root();
  private static final Path EXERCISES = ROOT.resolve("docs/exercises.md");
  private static final Pattern STEP_SECTION = Pattern.compile("^#{2,3} Step (\\d+): .*");
  private static final Pattern CHAPTER_EXERCISE = Pattern.compile("^\\d+\\. \\*\\*(.+?)\\*\\*");
  private static final Pattern ANSWER = Pattern.compile("<summary><b>(.+?)</b></summary>");
  private static final String SECTION = (String) grader("Chapter", "SECTION");

  /**
   * A static member of the grader's code, from its build (the reactor builds the grader before the
   * docs check). Not a dependency, so that regenerating the docs needs the docs check alone.
   */
  private static Object grader(String className, String member, Object... args) {
    try {
      Class<?> type = Class.forName("multiplexing.grader." + className, true, Grader.LOADER);
      if (args.length == 0) {
        return type.getField(member).get(null);
      }
      for (Method method : type.getMethods()) {
        if (method.getName().equals(member) && method.getParameterCount() == args.length) {
          return method.invoke(null, args);
        }
      }
      throw new NoSuchMethodException(className + "." + member);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  // One loader of the grader's classes for all the checks, made on first use.
  private static final class Grader {
    static final ClassLoader LOADER = load();

    private static ClassLoader load() {
      Path classes = ROOT.resolve("grader/target/classes");
      if (!Files.isDirectory(classes)) {
        throw new IllegalStateException("no " + classes + ": ./mvnw -B verify builds it first");
      }
      try {
        return new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, GradingDocsTest.class.getClassLoader());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> headings(Path page) {
    return (List<String>) grader("Chapter", "headings", page);
  }

  @SuppressWarnings("unchecked")
  private static List<String> links(String step) {
    return (List<String>) grader("Chapter", "links", ROOT, step);
  }

  private static String anchor(List<String> headings, int at) {
    return (String) grader("Chapter", "anchor", headings, at);
  }

  private static String sentence(String method) {
    return (String) grader("Sentences", "of", method);
  }

  @Test
  void everyWindowsCommandAndEveryGradeSpanIsOneThatWorks() throws IOException {
    List<String> problems = new ArrayList<>();
    Commands commands = new Commands(ROOT);
    for (Path path : Markdown.pages(ROOT)) {
      Markdown page = Markdown.read(path);
      for (Markdown.Block block : page.blocks) {
        if (block.lang().equals("bat")) {
          for (String line : block.lines()) {
            String why = line.isBlank() ? null : StudentCommands.checkCmd(ROOT, line);
            if (why != null) {
              problems.add(block.where() + ": `" + line + "`: " + why);
            }
          }
        }
      }
      for (String span : page.code) {
        String why =
            span.startsWith("./grade ")
                ? commands.check(span)
                : span.startsWith("grade.cmd ") ? StudentCommands.checkCmd(ROOT, span) : null;
        if (why != null) {
          problems.add(path + ": `" + span + "`: " + why);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theStudentsCommandsPassOnlyAsTheyWork() {
    Commands commands = new Commands(ROOT);
    String server = "src/main/java/multiplexing/EchoServer.java";
    assertThat(
            commands.check(
                "mkdir -p mine/step3 && cp -n step2-select-echo/" + server + " mine/step3/"))
        .isNull();
    assertThat(commands.check("./grade 3 mine/step3/EchoServer.java")).isNull();
    assertThat(commands.check("./grade step3-read-write-split step2-select-echo/" + server))
        .isNull();
    assertThat(commands.check("./grade 3 mine/step4/EchoServer.java")).isNotNull();
    assertThat(commands.check("./grade 1 mine/step1/EchoServer.java")).isNotNull();
    assertThat(commands.check("cp step2-select-echo/" + server + " mine/step3/")).isNotNull();
    assertThat(commands.check("cp -n step1-blocking/" + server + " mine/step3/")).isNotNull();
    assertThat(commands.check("mkdir mine/step3")).isNotNull();
    String windows = server.replace('/', '\\');
    assertThat(
            StudentCommands.checkCmd(
                ROOT, "mkdir mine\\step3 & copy step2-select-echo\\" + windows + " mine\\step3\\"))
        .isNull();
    assertThat(StudentCommands.checkCmd(ROOT, "grade.cmd 3 mine\\step3\\EchoServer.java")).isNull();
    assertThat(StudentCommands.checkCmd(ROOT, "./grade 3 mine\\step3\\EchoServer.java"))
        .isNotNull();
    assertThat(
            StudentCommands.checkCmd(
                ROOT, "copy step6-idle-timeout\\" + windows + " mine\\step3\\"))
        .isNotNull();
  }

  @Test
  void theAnchorsGradeComputesAreTheOnesGitHubGivesEveryChaptersHeadings() throws IOException {
    for (Path page : chapters()) {
      List<String> headings = headings(page);
      List<String> anchors = new ArrayList<>();
      for (int i = 0; i < headings.size(); i++) {
        anchors.add(anchor(headings, i));
      }
      assertThat(anchors).as("the anchors of %s", page).isEqualTo(Markdown.read(page).anchors);
    }
  }

  @Test
  void theSectionAFailedLessonLinksIsTheSameSectionInBothLanguages() {
    List<String> problems = new ArrayList<>();
    for (String step : exerciseSteps()) {
      Path english = ROOT.resolve("docs/" + step + ".md");
      Path chinese = ROOT.resolve("docs/zh/" + step + ".md");
      if (!Files.exists(english)) {
        continue;
      }
      List<String> headings = headings(english);
      if (!headings.contains(SECTION)) {
        problems.add(english + ": no heading '" + SECTION + "', which ./grade links");
        continue;
      }
      for (String link : links(step)) {
        Path file = ROOT.resolve(link.replaceFirst("#.*", ""));
        String anchor = link.contains("#") ? link.substring(link.indexOf('#') + 1) : null;
        if (anchor == null) {
          problems.add(link + ": ./grade links no section (the Chinese chapter's headings differ)");
        } else if (!Markdown.read(file).anchors.contains(anchor)) {
          problems.add(link + ": no such heading");
        }
      }
      if (Files.exists(chinese)) {
        int at = headings.indexOf(SECTION);
        List<String> en = sources(english, at);
        List<String> zh = sources(chinese, at);
        if (!en.equals(zh)) {
          problems.add(
              chinese + ": the section ./grade links quotes " + zh + ", the English one " + en);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void eachRebuildSectionListsExactlyTheLessonTestsThatFailFirst() throws IOException {
    Map<Integer, List<String>> listed = new LinkedHashMap<>();
    Integer step = null;
    boolean listing = false;
    for (String line : Files.readAllLines(EXERCISES)) {
      Matcher section = STEP_SECTION.matcher(line);
      if (line.startsWith("## Answers")) {
        break;
      } else if (section.matches()) {
        step = Integer.valueOf(section.group(1));
        listed.put(step, new ArrayList<>());
      } else if (line.startsWith("The tests that fail first")) {
        listing = true;
      } else if (listing && line.startsWith("- ")) {
        listed.get(step).add(line.substring(2));
      } else if (listing && !line.isBlank()) {
        listing = false;
      }
    }
    Map<Integer, List<String>> expected = new LinkedHashMap<>();
    for (String module : exerciseSteps()) {
      List<String> sentences = new ArrayList<>();
      for (String method : lessonTests(ROOT.resolve(module))) {
        sentences.add(sentence(method));
      }
      expected.put(Repo.stepNumber(module), sentences);
    }
    assertThat(listed.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (n, sentences) ->
            assertThat(listed.get(n))
                .as("the lesson tests listed for step %d", n)
                .containsExactlyInAnyOrderElementsOf(sentences));
  }

  @Test
  void everyChapterExerciseHasAnAnswerAndEveryAnswerAnExercise() throws IOException {
    Map<Integer, Set<String>> answers = new LinkedHashMap<>();
    Integer step = null;
    boolean inAnswers = false;
    for (String line : Files.readAllLines(EXERCISES)) {
      Matcher section = STEP_SECTION.matcher(line);
      if (line.startsWith("## Answers")) {
        inAnswers = true;
      } else if (inAnswers && section.matches()) {
        step = Integer.valueOf(section.group(1));
        answers.put(step, new TreeSet<>());
      } else if (inAnswers && step != null) {
        Matcher answer = ANSWER.matcher(line);
        if (answer.find()) {
          answers.get(step).add(plain(answer.group(1)));
        }
      }
    }
    Map<Integer, Set<String>> exercises = new LinkedHashMap<>();
    for (String module : Repo.steps(ROOT)) {
      Path chapter = ROOT.resolve("docs/" + module + ".md");
      if (!Files.exists(chapter)) {
        continue;
      }
      Set<String> titles = new TreeSet<>();
      boolean inExercises = false;
      for (String line : Files.readAllLines(chapter)) {
        if (line.startsWith("## ")) {
          inExercises = line.equals("## Exercises");
        } else if (inExercises) {
          Matcher title = CHAPTER_EXERCISE.matcher(line);
          if (title.find()) {
            titles.add(plain(title.group(1)));
          }
        }
      }
      if (!titles.isEmpty()) {
        exercises.put(Repo.stepNumber(module), titles);
      }
    }
    assertThat(answers)
        .as("the answers in docs/exercises.md, by step, against the chapters' exercises")
        .isEqualTo(exercises);
  }

  // A title as a reader sees it: without **, `, <b> and <code>.
  private static String plain(String title) {
    return title.replaceAll("</?(b|code)>|`|\\*", "").trim();
  }

  private static List<String> exerciseSteps() {
    return Repo.steps(ROOT).stream().filter(s -> Repo.stepNumber(s) >= 2).toList();
  }

  private static List<Path> chapters() throws IOException {
    List<Path> pages = new ArrayList<>();
    for (String dir : List.of("docs", "docs/zh")) {
      try (Stream<Path> list = Files.list(ROOT.resolve(dir))) {
        list.filter(p -> p.getFileName().toString().matches("step\\d+-.*\\.md"))
            .sorted()
            .forEach(pages::add);
      }
    }
    return pages;
  }

  // The <!-- kind: path --> markers between heading number `at` and the next heading.
  private static List<String> sources(Path page, int at) {
    List<String> markers = new ArrayList<>();
    int heading = -1;
    boolean fenced = false;
    for (String line : Repo.read(page).lines().toList()) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced && line.matches("^#{1,6} .*")) {
        heading++;
      } else if (heading == at && line.matches("<!--\\s*(excerpt|include):.*-->")) {
        markers.add(line.trim());
      }
    }
    return markers;
  }

  private static final Pattern LESSON_METHOD =
      Pattern.compile(
          "@Lesson\\((?:[^()]|\"[^\"]*\")*\\)(?:\\s+@\\w+(?:\\([^)]*\\))?)*\\s+void (\\w+)\\(");
  private static final Pattern LESSON_CLASS =
      Pattern.compile("@Lesson\\((?:[^()]|\"[^\"]*\")*\\)\\s+class \\w+ extends (\\w+)");
  private static final Pattern TEST_METHOD =
      Pattern.compile("@Test(?:\\s+@\\w+(?:\\([^)]*\\))?)*\\s+void (\\w+)\\(");

  /** The names of a step's lesson tests: methods marked @Lesson, and all of a class so marked. */
  private static List<String> lessonTests(Path module) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(module.resolve("src/test/java/multiplexing"))) {
      for (Path file : files.sorted().toList()) {
        String source = Repo.read(file);
        Matcher method = LESSON_METHOD.matcher(source);
        while (method.find()) {
          names.add(method.group(1));
        }
        Matcher type = LESSON_CLASS.matcher(source);
        if (type.find()) {
          String parent =
              Repo.read(
                  ROOT.resolve(
                      "testkit/src/main/java/multiplexing/testkit/" + type.group(1) + ".java"));
          Matcher test = TEST_METHOD.matcher(parent);
          while (test.find()) {
            names.add(test.group(1));
          }
        }
      }
    }
    return names;
  }
}
