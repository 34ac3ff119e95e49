package docscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks check themselves: each one accepts what is true and refuses what is not. */
class CheckerTest {
  private static final List<String> SOURCE =
      List.of(
          "class A {",
          "  void f() {",
          "    int x = 1;",
          "    int y = 2;",
          "    int z = 3;",
          "  }",
          "}");

  @Test
  void anExcerptMayBeIndentedDifferentlyAndMayElideLinesButNotChangeThem() {
    assertThat(Excerpts.contains(SOURCE, List.of("int x = 1;", "int y = 2;"))).isTrue();
    assertThat(Excerpts.contains(SOURCE, List.of("int x = 1;", "// ...", "int z = 3;"))).isTrue();
    assertThat(Excerpts.contains(SOURCE, List.of("int x = 1;", "int z = 3;"))).isFalse();
    assertThat(Excerpts.contains(SOURCE, List.of("int z = 3;", "// ...", "int x = 1;"))).isFalse();
    assertThat(Excerpts.contains(SOURCE, List.of("int x = 2;"))).isFalse();
  }

  @Test
  void anchorsAreTheOnesGitHubMakes() {
    assertThat(Markdown.slug("Why must I remove each key from selectedKeys?"))
        .isEqualTo("why-must-i-remove-each-key-from-selectedkeys");
    assertThat(Markdown.slug("flip、compact、clear")).isEqualTo("flipcompactclear");
    assertThat(Markdown.slug("为什么两条消息粘成了一条，或者一条被拆成了两条？")).isEqualTo("为什么两条消息粘成了一条或者一条被拆成了两条");
  }

  @Test
  void theWordCountLeavesOutCodeAndWhatIsFoldedInDetails() {
    Markdown page =
        Markdown.of(
            String.join(
                "\n",
                "Two words.",
                "",
                "```java",
                "int notProse = 1;",
                "```",
                "",
                "<details><summary>Answer</summary>",
                "",
                "Five folded words, not counted.",
                "",
                "</details>",
                "",
                "`three` more words"));
    assertThat(page.words()).isEqualTo(5);
    assertThat(page.prose)
        .as("the folded text is still checked")
        .contains("Five folded words, not counted.");
  }

  @Test
  void aTestOfTheSharedContractCountsInEveryStepWhoseTestsExtendIt() {
    Path root = Repo.root();
    String contractTest = "everyByteValueZeroIncludedComesBackExactly";
    assertThat(Commands.testExists(root, "step2-select-echo", "EchoServerTest#" + contractTest))
        .isTrue();
    assertThat(Commands.testExists(root, "step2-select-echo", "EchoContract#" + contractTest))
        .isTrue();
    assertThat(Commands.testExists(root, "step2-select-echo", "EchoContract#noSuchTest")).isFalse();
    assertThat(
            Commands.testExists(
                root,
                "step2-select-echo",
                "EchoServerTest#aClientThatHalfClosesLosesTheEchoStillQueuedForIt"))
        .as("a test of step 3 only")
        .isFalse();
    String acceptFailure =
        "AcceptFailureTest#outOfDescriptorsAcceptingPausesWithGrowingBackoffAndResumesWhenSomeAreFree";
    assertThat(Commands.testExists(root, "step4-error-handling", acceptFailure)).isTrue();
    assertThat(Commands.testExists(root, "step3-read-write-split", acceptFailure))
        .as("step 3 has no AcceptFailureTest")
        .isFalse();
    assertThat(Commands.testExists(root, "testkit", "EchoClientTest#neverSendsAnEmptyMessage"))
        .as("the client's tests, in the testkit")
        .isTrue();
  }

  @Test
  void onlyCommandsThatWorkPass() {
    Commands commands = new Commands(Repo.root());
    assertThat(commands.check("./mvnw -B verify")).isNull();
    assertThat(commands.check("./mvnw -q install \"-DskipTests\""))
        .as("an installed testkit goes stale, and a later command would test against it")
        .isNotNull();
    assertThat(commands.check("./mvnw -q -pl docs-check compile exec:java")).isNull();
    assertThat(commands.check("./mvnw -q -pl step2-select-echo -am compile exec:java")).isNull();
    assertThat(
            commands.check(
                "./mvnw -q -pl step2-select-echo -am compile exec:java \"-Dexec.args=9999 --trace\""))
        .isNull();
    assertThat(
            commands.check(
                "./mvnw -q -pl step6-idle-timeout -am compile exec:java"
                    + " \"-Dexec.args=--trace --idle-timeout=10 9999\""))
        .isNull();
    assertThat(
            commands.check(
                "./mvnw -q -pl step2-select-echo -am compile exec:java -Dexec.args=\"9999 --trace\""))
        .as("PowerShell splits an unquoted -Dexec.args=... at the dot")
        .isNotNull();
    String oneTest =
        "\"-Dtest=EchoServerTest#aSecondClientGetsNoEchoWhileTheFirstStaysAndGetsItOnceTheFirstLeaves\"";
    assertThat(commands.check("./mvnw -pl step1-blocking -am test " + oneTest)).isNull();
    assertThat(commands.check("./mvnw -pl step1-blocking test " + oneTest))
        .as("without -am a fresh clone has no testkit")
        .isNotNull();
    assertThat(commands.check("./mvnw -pl step1-blocking -am test " + oneTest.replace("\"", "")))
        .as("the -D argument must be quoted")
        .isNotNull();
    assertThat(
            commands.check(
                "./mvnw -pl testkit test \"-Dtest=EchoClientTest#neverSendsAnEmptyMessage\""))
        .isNull();
    assertThat(commands.check("./mvnw -q -pl step2-select-echo compile exec:java"))
        .as("without -am a fresh clone has no testkit")
        .isNotNull();
    assertThat(
            commands.check("java step1-blocking/src/main/java/multiplexing/EchoServer.java 9999"))
        .isNull();
    assertThat(
            commands.check(
                "java -Xmx256m step5-backpressure/src/main/java/multiplexing/EchoServer.java 9999"))
        .isNull();
    assertThat(commands.check("java -Xmx256m ...")).isNotNull();

    assertThat(commands.check("./mvnw -q -pl step9-nothing compile exec:java")).isNotNull();
    assertThat(commands.check("./mvnw -q -pl step2-select-echo exec:java")).isNotNull();
    assertThat(
            commands.check(
                "./mvnw -q -pl step1-blocking compile exec:java -Dexec.args=\"9999 --trace\""))
        .as("step 1 has no --trace")
        .isNotNull();
    assertThat(
            commands.check(
                "./mvnw -pl step1-blocking -am test \"-Dtest=EchoServerTest#noSuchTest\""))
        .isNotNull();
    String server = "/src/main/java/multiplexing/EchoServer.java";
    assertThat(commands.check("diff -u step1-blocking" + server + " step2-select-echo" + server))
        .isNull();
    assertThat(commands.check("diff -ruN step1-blocking/src/test step2-select-echo/src/test"))
        .isNull();
    assertThat(
            commands.check(
                "diff -ru step3-read-write-split/src/test step4-error-handling/src/test"))
        .as("new files show as `Only in` without -N")
        .isNotNull();
    assertThat(commands.check("diff -ruN step1-blocking/src step2-select-echo/src"))
        .as("the server and the tests are shown apart")
        .isNotNull();
    assertThat(commands.check("diff -u step1-blocking" + server + " step9-nothing" + server))
        .isNotNull();
    String limited =
        "ulimit -n 96 && java step4-error-handling/src/main/java/multiplexing/EchoServer.java 9999";
    assertThat(commands.check("(" + limited + ")")).isNull();
    assertThat(commands.check(limited))
        .as("outside a subshell, ulimit lowers the student's own shell's limit for good")
        .isNotNull();
    assertThat(commands.check("printf 'hello\\n' | socat -t1 - TCP:127.0.0.1:9999")).isNull();
    assertThat(commands.check("head -c 5000000 /dev/urandom > big.bin  # 5 MB")).isNull();
    assertThat(commands.check("nc -N 127.0.0.1 9999 < big.bin > back.bin && cmp big.bin back.bin"))
        .isNull();
    assertThat(commands.check("nc -N example.com 80")).isNotNull();
    assertThat(commands.check("printf x | rm -rf /")).isNotNull();
    assertThat(commands.check("curl http://127.0.0.1:9999")).isNotNull();
  }

  @Test
  void aRunIsRecordedWithTeeAndDrawnWithTracePicture() {
    Commands commands = new Commands(Repo.root());
    String server = "java step3-read-write-split/src/main/java/multiplexing/EchoServer.java";
    assertThat(commands.check(server + " --trace 9999 | tee run.txt")).isNull();
    String draw = "java " + Commands.PICTURE + " ";
    assertThat(commands.check(draw + "run.txt run.svg")).isNull();
    assertThat(commands.check(draw + "--lang=zh run.txt run.svg")).isNull();
    assertThat(commands.check(server + " --trace 9999 | tee other.txt"))
        .as("the session is recorded in run.txt, which the drawing command reads")
        .isNotNull();
    assertThat(commands.check(server + " --trace 9999 | tee -a run.txt")).isNotNull();
    assertThat(commands.check("tee run.txt")).as("tee records what a server prints").isNotNull();
    assertThat(commands.check(draw + "run.txt")).as("the SVG goes to run.svg").isNotNull();
    assertThat(commands.check(draw + "--lang=fr run.txt run.svg")).isNotNull();
    assertThat(commands.check("java docs-check/src/main/java/docscheck/Regenerate.java"))
        .isNotNull();
  }
}
