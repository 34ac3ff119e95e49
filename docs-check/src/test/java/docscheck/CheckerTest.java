package docscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checks check themselves: each accepts what is true and refuses what is not. */
class CheckerTest {
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = ':',
      textBlock =
          """
      true:  int x = 1;|int y = 2;
      true:  int x = 1;|// ...|int z = 3;
      false: int x = 1;|int z = 3;
      false: int z = 3;|// ...|int x = 1;
      false: int x = 2;""")
  void anExcerptMayBeIndentedOtherwiseAndElideLinesButNotChangeThem(boolean is, String quote) {
    List<String> source =
        "class A {\n  void f() {\n    int x = 1;\n    int y = 2;\n    int z = 3;".lines().toList();
    assertThat(DocsTest.isExcerpt(source, List.of(quote.split("\\|")))).isEqualTo(is);
  }

  @Test
  void aPageHasGitHubsAnchorsAndCountsNeitherCodeNorWhatIsFoldedInDetails() {
    Page page =
        new Page(
            Path.of("test.md"),
            """
        # flip、compact、clear
        ## 为什么两条消息粘成了一条，或者一条被拆成了两条？
        Two words.
        ```java
        int notProse = 1;
        ```
        <details><summary>Answer</summary>

        Four folded words here.

        </details>

        `three` more words""");
    assertThat(page.anchors).containsExactly("flipcompactclear", "为什么两条消息粘成了一条或者一条被拆成了两条");
    assertThat(page.words).isEqualTo(1 + 1 + 2 + 3);
    assertThat(page.text)
        .as("folded text, still checked")
        .contains(new Page.Span(9, "Four folded words here."));
  }

  @ParameterizedTest(name = "{1} in {0}: {2}")
  @CsvSource(
      textBlock =
          """
      step2-select-echo, EchoServerTest#everyByteValueZeroIncludedComesBackExactly, true
      step2-select-echo, EchoContract#everyByteValueZeroIncludedComesBackExactly, true
      step2-select-echo, EchoContract#noSuchTest, false
      testkit, EchoClientTest#neverSendsAnEmptyMessage, true""")
  void aTestOfTheSharedContractCountsInEveryStepWhoseTestsExtendIt(
      String module, String test, boolean exists) {
    assertThat(DocsTest.testExists(module, test)).isEqualTo(exists);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " => ",
      emptyValue = "",
      textBlock =
          """
      ./mvnw -pl step2-select-echo -am test "-Dtest=EchoServerTest#anIdleServerPrintsNoPassAtAll" => ''
      (ulimit -n 96 && java step2-select-echo/src/main/java/multiplexing/EchoServer.java 9999) => ''
      mkdir -p mine/step3 && cp -n step2-select-echo/src/main/java/multiplexing/EchoServer.java mine/step3/ => ''
      ./grade 3 mine/step3/EchoServer.java => ''
      ./mvnw -pl step1-blocking -am test -Dtest=EchoServerTest => quote each -D
      ./mvnw -q -pl step2-select-echo -am compile exec:java -Dexec.args="9999 --trace" => quote each -D
      ./mvnw -pl step1-blocking test "-Dtest=EchoServerTest" => add -am
      ./mvnw -pl step1-blocking -am test "-Dtest=EchoServerTest#noSuchTest" => name in -Dtest
      ./mvnw -q install => drop install
      ./mvnw -q -pl step9-none -am compile exec:java => name a module
      ./mvnw -q -pl step2-select-echo -am exec:java => compile exec:java
      ./mvnw -q -pl docs-check compile exec:java => -Pregenerate
      ulimit -n 96 && java step4-error-handling/src/main/java/multiplexing/EchoServer.java 9999 => subshell
      diff -ruN step1-blocking/src step2-select-echo/src => two diffs
      cp step2-select-echo/src/main/java/multiplexing/EchoServer.java mine/step3/ => cp -n
      cp -n step2-select-echo/src/main/java/multiplexing/EchoServer.java mine/step4/ => right before
      ./grade 3 mine/step4/EchoServer.java => grade step N
      ./grade 1 mine/step1/EchoServer.java => 2 to 7
      ./no-such-script 3 => script of the repository
      java step2-select-echo/src/main/java/multiplexing/EchoServer.java 9999 | tee other.txt => tee run.txt
      java docs-check/src/main/java/docscheck/TracePicture.java run.txt => draw
      nc -N example.com 80 => 127.0.0.1
      java step9-none/src/main/java/multiplexing/EchoServer.java 9999 => file of the repository
      bench/run --full => --quick""")
  void aCommandPassesOnlyInAFormThatWorks(String command, String fix) {
    assertThat(GuideCommandsTest.check(command))
        .as(command)
        .allMatch(f -> !fix.isEmpty() && f.contains(fix))
        .hasSize(fix.isEmpty() ? 0 : 1);
  }

  @Test
  void theGlossaryRejectsTheVariantsInItsColumnHeaded不用() {
    String glossary =
        """
        | 中文 | 英文 | 不用 |
        | --- | --- | --- |
        | 水平触发 | level-triggered | 电平触发、电平 |
        | 一轮 | pass | |

        | 中文 | 英文 |
        | --- | --- |
        | 事件循环 | event loop |""";
    assertThat(DocsTest.rejected(glossary)).isEqualTo(Map.of("电平触发", "水平触发", "电平", "水平触发"));
  }
}
