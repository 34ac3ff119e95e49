package docscheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.ext.heading.anchor.IdGenerator;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.Image;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;

/**
 * A page as GitHub reads it (CommonMark with tables, parsed by commonmark-java): its fenced code
 * blocks with the marker comment above each, its links, its inline code, its prose and its heading
 * anchors.
 */
final class Markdown {
  private static final Parser PARSER =
      Parser.builder()
          .extensions(List.of(TablesExtension.create()))
          .includeSourceSpans(IncludeSourceSpans.BLOCKS)
          .build();
  // <!-- excerpt: FILE -->, <!-- include: FILE -->, <!-- sketch -->
  private static final Pattern MARKER = Pattern.compile("^<!--\\s*(\\w+)(?::\\s*(\\S+))?\\s*-->$");

  /** A fenced code block and the {@code <!-- kind: path -->} comment right above it, if any. */
  record Block(Path page, int line, String lang, List<String> lines, String kind, String path) {
    String where() {
      return page + ":" + line;
    }
  }

  final Path page;
  final List<Block> blocks = new ArrayList<>();

  /** Where every link and image leads, as written. */
  final List<String> links = new ArrayList<>();

  /** Every inline code span. */
  final List<String> code = new ArrayList<>();

  /** Every run of prose text and inline code, outside code blocks and HTML. */
  final List<String> prose = new ArrayList<>();

  /** The prose a reader reads without opening a {@code <details>}: what words() counts. */
  private final List<String> unfolded = new ArrayList<>();

  // How many <details> we are inside, as the HTML blocks around the folded text open and close.
  private int folds;

  /** The anchors GitHub gives this page's headings, in order (duplicates get -1, -2, ...). */
  final List<String> anchors = new ArrayList<>();

  private Markdown(Path page, String text) {
    this.page = page;
    IdGenerator ids = IdGenerator.builder().build();
    PARSER
        .parse(text)
        .accept(
            new AbstractVisitor() {
              @Override
              public void visit(FencedCodeBlock block) {
                String lang = block.getInfo() == null ? "" : block.getInfo().trim();
                Matcher m = marker(block.getPrevious());
                int line = block.getSourceSpans().get(0).getLineIndex() + 2;
                blocks.add(
                    new Block(
                        page,
                        line,
                        lang,
                        block.getLiteral().lines().toList(),
                        m == null ? null : m.group(1),
                        m == null ? null : m.group(2)));
              }

              @Override
              public void visit(HtmlBlock html) {
                folds +=
                    count(html.getLiteral(), "<details") - count(html.getLiteral(), "</details>");
              }

              @Override
              public void visit(IndentedCodeBlock block) {
                // Not prose; no page here uses one.
              }

              @Override
              public void visit(Heading heading) {
                anchors.add(ids.generateId(textOf(heading)));
                visitChildren(heading);
              }

              @Override
              public void visit(Link link) {
                links.add(link.getDestination());
                visitChildren(link);
              }

              @Override
              public void visit(Image image) {
                links.add(image.getDestination());
                visitChildren(image);
              }

              @Override
              public void visit(Code span) {
                code.add(span.getLiteral());
                addProse(span.getLiteral());
              }

              @Override
              public void visit(Text span) {
                addProse(span.getLiteral());
              }
            });
  }

  private void addProse(String text) {
    prose.add(text);
    if (folds <= 0) {
      unfolded.add(text);
    }
  }

  private static int count(String text, String tag) {
    int n = 0;
    for (int at = text.indexOf(tag); at >= 0; at = text.indexOf(tag, at + 1)) {
      n++;
    }
    return n;
  }

  private static Matcher marker(Node previous) {
    if (previous instanceof HtmlBlock html) {
      Matcher m = MARKER.matcher(html.getLiteral().trim());
      return m.matches() ? m : null;
    }
    return null;
  }

  // A heading's text as GitHub slugs it: its text and code, without the markup around them.
  private static String textOf(Node node) {
    StringBuilder text = new StringBuilder();
    node.accept(
        new AbstractVisitor() {
          @Override
          public void visit(Text span) {
            text.append(span.getLiteral());
          }

          @Override
          public void visit(Code span) {
            text.append(span.getLiteral());
          }
        });
    return text.toString();
  }

  /** A page from its text, for the checks' own test. */
  static Markdown of(String text) {
    return new Markdown(Path.of("test.md"), text);
  }

  static Markdown read(Path page) {
    try {
      return new Markdown(page, Files.readString(page));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every Markdown page under docs/, sorted, then the README and CONTRIBUTING.md at the root. */
  static List<Path> pages(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root.resolve("docs"))) {
      List<Path> pages =
          new ArrayList<>(walk.filter(p -> p.toString().endsWith(".md")).sorted().toList());
      pages.add(root.resolve("README.md"));
      pages.add(root.resolve("CONTRIBUTING.md"));
      return pages;
    }
  }

  /**
   * The words of prose: what a reader reads, without code blocks, diagrams and HTML, and without
   * what is folded in {@code <details>} until the reader opens it.
   */
  int words() {
    int words = 0;
    for (String text : unfolded) {
      for (String word : text.trim().split("\\s+")) {
        if (word.codePoints().anyMatch(Character::isLetterOrDigit)) {
          words++;
        }
      }
    }
    return words;
  }

  /** The anchor GitHub gives one heading, for the checks' own test. */
  static String slug(String heading) {
    return IdGenerator.builder().build().generateId(heading);
  }
}
