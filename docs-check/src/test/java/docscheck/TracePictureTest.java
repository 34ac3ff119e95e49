package docscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pictures of the recorded runs stay true to them, and any server's output draws one. */
class TracePictureTest {
  private static final Path ROOT = Repo.root();
  private static final String STEP3 = Transcripts.DIR + "/step3-read-write-split/server-trace.txt";

  private static Map<String, String> committed(String ending) {
    Map<String, String> files = new TreeMap<>();
    for (Path p : Repo.files(ROOT.resolve(Transcripts.DIR))) {
      if (p.toString().endsWith(ending)) {
        files.put(Repo.name(ROOT, p), Repo.read(p));
      }
    }
    return files;
  }

  @Test
  void everyCommittedPictureIsTheOneItsCommittedRecordingDrawsWordForWordWithinTheBounds()
      throws Exception {
    Map<String, String> runs = committed("trace.txt"), expected = TracePicture.pictures(runs);
    for (String step : Repo.steps(ROOT).subList(1, Repo.steps(ROOT).size())) {
      assertThat(runs).containsKey(Transcripts.DIR + "/" + step + "/server-trace.txt");
    }
    Map<String, String> onDisk = committed(".svg");
    String regenerate = "run `" + Repo.REGENERATE + "` and commit the result";
    assertThat(onDisk.keySet()).as("the pictures; %s", regenerate).isEqualTo(expected.keySet());
    assertThat(expected.keySet().stream().filter(f -> !expected.get(f).equals(onDisk.get(f))))
        .as("stale pictures; %s", regenerate)
        .isEmpty();
    for (Map.Entry<String, String> run : runs.entrySet()) {
      TracePicture.Picture picture = TracePicture.draw("run.txt", run.getValue(), false);
      assertThat(picture.skipped()).as("lines of %s not understood", run.getKey()).isZero();
    }
    for (Map.Entry<String, String> picture : expected.entrySet()) {
      assertReadable(picture.getValue());
      boolean chinese = picture.getKey().endsWith(".zh.svg");
      assertThat(picture.getValue()).contains(chinese ? "监听 socket 关注着" : "the listener's");
    }
  }

  // Well-formed, with a title and a description, an opaque background, a font for Chinese, at
  // most 880 px wide and no text under 12 px.
  private static void assertReadable(String svg) throws Exception {
    DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(svg)
        .contains("<title id=\"title\">", "<desc id=\"desc\">", "fill=\"#ffffff\"/>")
        .contains("'Noto Sans CJK SC', sans-serif");
    Matcher width = Pattern.compile("<svg [^>]*width=\"(\\d+)\"").matcher(svg);
    assertThat(width.find() && Integer.parseInt(width.group(1)) <= 880).as("width").isTrue();
    for (Matcher size = Pattern.compile("font-size=\"(\\d+)\"").matcher(svg); size.find(); ) {
      assertThat(Integer.parseInt(size.group(1))).isGreaterThanOrEqualTo(12);
    }
  }

  // Under a long run's grid, a line of what it held over the passes: step 4's queue for a
  // client that never reads climbs to the end; step 2 loses bytes, and step 3 loses none.
  @Test
  void aLongRunsChartShowsTheBytesHeldAndLostOverThePasses() {
    String svg = draw("step4-error-handling/never-reads", false);
    Matcher line = Pattern.compile("<polyline points=\"([^\"]+)\"").matcher(svg);
    assertThat(line.find()).as("a line under the grid").isTrue();
    String[] points = line.group(1).split(" ");
    // SVG's y grows downwards: a growing queue ends higher than it began.
    assertThat(Double.parseDouble(points[points.length - 1].split(",")[1]))
        .isLessThan(Double.parseDouble(points[0].split(",")[1]) - 100);
    assertThat(svg).contains(">bytes<", ">pass<");
    assertThat(draw("step4-error-handling/never-reads", true)).contains(">字节数<", ">轮<");
    String dashed = "stroke-dasharray";
    assertThat(draw("step2-select-echo/slow-reader", false)).contains(dashed, ">lost", ">×");
    assertThat(draw("step3-read-write-split/slow-reader", false))
        .contains("<polyline")
        .doesNotContain(dashed);
  }

  private static String draw(String run, boolean chinese) {
    String trace = Repo.read(ROOT.resolve(Transcripts.DIR + "/" + run + ".trace.txt"));
    return TracePicture.draw("run.txt", trace, chinese).svg();
  }

  @Test
  void itKnowsEveryStepsWords() {
    String trace =
        """
        listening on 127.0.0.1:9999
        pass 1: 1 ready of 1 registered [listener]
        accepted 127.0.0.1:1
        accepted 127.0.0.1:2
        refused 127.0.0.1:3 (the cap is 2)
        dropped on IOException 127.0.0.1:4
        pass 2: 2 ready of 3 registered [listener, 127.0.0.1:1, 127.0.0.1:2]
          127.0.0.1:1 read: read 6 B, wrote 2 B, lost 4 B
        paused reading 127.0.0.1:2 (65536 queued)
          127.0.0.1:2 read: read 1024 B, wrote 0 B, queued 65536 B, interest read -> write
        pass 3: 1 ready of 3 registered [listener, 127.0.0.1:1, 127.0.0.1:2]
          127.0.0.1:2 write: wrote 65536 B, queued 0 B, interest write -> nothing
        resumed reading 127.0.0.1:2
          127.0.0.1:2 resumed: reading again, queued 0 B, interest nothing -> read
          127.0.0.1:1 read: nothing read, the budget is spent, queued 0 B, interest read -> nothing
        pass 4: nothing ready (a timer is due)
        closing idle 127.0.0.1:1 (lingering up to 30 s)
          127.0.0.1:1 idle: shut down our output, lingering, queued 0 B, interest read -> read
        accept failed (Too many open files), pausing 100 ms
        pass 5: nothing ready (the accept pause is over)
          127.0.0.1:1 read: discarded 5 B (lingering), queued 0 B, interest read -> read
        dropped idle 127.0.0.1:1
        dropped idle (5 B it never took) 127.0.0.1:2
        pass 6: 1 ready of 1 registered [listener]
        accepted 127.0.0.1:1
        pass 7: 1 ready of 2 registered [listener, 127.0.0.1:1]
          127.0.0.1:1 read: end of stream, queued 7 B
        reset by peer 127.0.0.1:1
        pass 8: nothing ready (woken early)
        stopped by java.io.IOException: gone
        """;
    TracePicture.Picture picture = TracePicture.draw("run.txt", trace, false);
    assertThat(picture.skipped()).isZero();
    // The picture's words as a reader reads them: a wrapped phrase is one again.
    String words = picture.svg().replaceAll("(\\s*<[^>]*>\\s*)+", " ");
    assertThat(words)
        .contains("accepted ×2", "refused", "dropped on IOException", "lost 4 B", "paused")
        .contains("resumed", "the budget is spent", "closing idle", "discarded 5 B (lingering)")
        .contains("dropped idle", "end of stream", "reset by peer", "lost 7 B", "accept failed")
        .contains("a timer is due", "the accept pause is over", "woken early", "stopped by");
    // The port came back: a row of its own, after the first client's.
    assertThat(picture.svg().split(">:1<", -1)).hasSize(3);
    // A UTF-8 byte order mark, as some editors write, is not a word.
    byte[] marked = ("\uFEFF" + trace).getBytes(StandardCharsets.UTF_8);
    assertThat(TracePicture.draw("run.txt", TracePicture.decode(marked), false)).isEqualTo(picture);
  }

  @Test
  void aTraceOfThousandsOfClientsDrawsTheFirstRowsAndSaysHowManyItLeftOut() throws Exception {
    StringBuilder trace = new StringBuilder("listening on 127.0.0.1:9999\n");
    for (int i = 1; i <= 3000; i++) {
      trace.append("pass %d: 1 ready of %d registered [listener]%n".formatted(i, i));
      trace.append("accepted 127.0.0.1:").append(10000 + i).append('\n');
    }
    TracePicture.Picture picture = TracePicture.draw("run.txt", trace.toString(), false);
    assertReadable(picture.svg());
    assertThat(picture.svg()).contains(">and 2990 more<", ">:10010<").doesNotContain(">:10011<");
    assertThat(picture.notes()).contains("drew the first 10 clients; left out 2990");
  }

  // A wrong command or a file with nothing to draw: its exit status and one line (the first of
  // --help). The file run.txt holds the trace; DIR/ is where it lies.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          pass 1: nothing ready (woken early) |                  | 2 TracePicture: give a trace file, and an SVG file to write if not to standard output (--help for usage)
          pass 1: nothing ready (woken early) | --colour run.txt | 2 TracePicture: unknown option --colour (--help for usage)
          pass 1: nothing ready (woken early) | run.txt run.txt  | 2 TracePicture: DIR/run.txt is the trace itself: name another file
          pass 1: nothing ready (woken early) | none.txt         | 1 TracePicture: no such file: DIR/none.txt
          pass 1: nothing ready (woken early) | --help           | 0 usage: java docs-check/src/main/java/docscheck/TracePicture.java [--lang=zh] TRACE [SVG]
          ''                                  | run.txt          | 1 TracePicture: run.txt is empty: nothing to draw
          '\\r\\n  \\n'                       | run.txt          | 1 TracePicture: run.txt is empty: nothing to draw
          \\nlistening on 127.0.0.1:9999\\n   | run.txt          | 1 TracePicture: run.txt has no pass line (its first line, line 2, is "listening on 127.0.0.1:9999"): was the server started with --trace?
          """)
  void aWrongCommandOrANoTraceFileSaysWhyInOneLine(
      String trace, String args, String expected, @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("run.txt"), trace.translateEscapes());
    String[] paths =
        Stream.of(args == null ? new String[0] : args.split(" "))
            .map(a -> a.startsWith("-") ? a : dir.resolve(a).toString())
            .toArray(String[]::new);
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int status = TracePicture.run(paths, new PrintStream(out, true), new PrintStream(err, true));
    String said = status + " " + (err.size() > 0 ? err : out);
    assertThat(said.lines().findFirst().orElseThrow())
        .isEqualTo(expected.replace("DIR/", dir + dir.getFileSystem().getSeparator()));
    assertThat(said.lines().count())
        .isEqualTo(status == 0 ? TracePicture.USAGE.lines().count() : 1);
  }

  // A server's whole output as Windows PowerShell 5.1's `>` writes it (UTF-16 after a byte order
  // mark, CRLF), with JVM warnings and a stack trace: the one source file draws its trace alone.
  @Test
  void aStudentDrawsTheirServersWholeOutputWithTheOneSourceFile(@TempDir Path dir)
      throws Exception {
    String trace = Repo.read(ROOT.resolve(STEP3));
    List<String> lines = new ArrayList<>(trace.lines().toList());
    lines.add(0, "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader");
    lines.add(5, "Exception in thread \"main\" java.lang.IllegalStateException: boom");
    lines.add(6, "\tat multiplexing.EchoServer.run(EchoServer.java:99)");
    lines.add(7, "Caused by: java.io.IOException: Broken pipe");
    lines.add(8, "\t... 3 more");
    lines.add(9, "WARNING: A terminally deprecated method in java.lang.System has been called");
    lines.add(10, "something a student's own server printed");
    String noisy = "\uFEFF" + String.join("\r\n", lines) + "\r\n";
    Files.write(dir.resolve("run.txt"), noisy.getBytes(StandardCharsets.UTF_16LE));
    String skipped = "TracePicture: skipped 7 lines it does not know (the first: line 1)\n";
    assertThat(java(dir, "run.txt", "run.svg")).isEqualTo(skipped + "wrote run.svg\n");
    assertThat(Files.readString(dir.resolve("run.svg")))
        .isEqualTo(TracePicture.draw("run.txt", trace, false).svg());
    assertThat(java(dir, "--lang=zh", "run.txt"))
        .isEqualTo(skipped + TracePicture.draw("run.txt", trace, true).svg());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsOnly("run.txt", "run.svg");
    }
  }

  // What `java docs-check/src/main/java/docscheck/TracePicture.java ARGS`, run from dir, prints:
  // standard error, then standard output.
  private static String java(Path dir, String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path source = ROOT.resolve("docs-check/src/main/java/docscheck/TracePicture.java");
    Stream<String> command =
        Stream.concat(Stream.of(java.toString(), source.toString()), Stream.of(args));
    Process process = new ProcessBuilder(command.toList()).directory(dir.toFile()).start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(err).isZero();
    return err + new String(out, StandardCharsets.UTF_8);
  }
}
