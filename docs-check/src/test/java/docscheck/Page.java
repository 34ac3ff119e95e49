package docscheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.ext.heading.anchor.IdGenerator;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;

/** A page as GitHub reads it (CommonMark, its tables and anchors), walked once, with lines. */
final class Page {
  static final Path ROOT = Repo.root();
  private static final Parser PARSER =
      Parser.builder()
          .extensions(List.of(TablesExtension.create()))
          .includeSourceSpans(IncludeSourceSpans.BLOCKS_AND_INLINES)
          .build();
  private static final Pattern MARKER = Pattern.compile("<!--\\s*(\\w+)(?::\\s*(\\S+))?\\s*-->");
  private static final Map<Path, Page> READ = new ConcurrentHashMap<>();

  record Span(int line, String text) {}

  /** A fenced block: its first line, language, lines, marker, and the heading it stands under. */
  record Block(int line, String lang, List<String> lines, String kind, String file, int section) {}

  final Path path;
  final String name;
  final List<Block> blocks = new ArrayList<>();
  final List<Span> links = new ArrayList<>();
  final List<Span> code = new ArrayList<>();
  final List<Span> text = new ArrayList<>(); // text and HTML, outside code
  final List<String> anchors = new ArrayList<>();
  private final IdGenerator ids = IdGenerator.builder().build();
  private int folds; // how many <details> the walk is in: folded text takes no reading time
  int words; // of text and inline code, outside <details>

  Page(Path path, String markdown) {
    this.path = path;
    this.name = Repo.name(ROOT, path.toAbsolutePath());
    walk(PARSER.parse(markdown));
  }

  private void walk(Node parent) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
      int line = n.getSourceSpans().isEmpty() ? 0 : n.getSourceSpans().get(0).getLineIndex() + 1;
      String literal =
          n instanceof Text t
              ? t.getLiteral()
              : n instanceof Code c
                  ? c.getLiteral()
                  : n instanceof HtmlBlock h ? h.getLiteral() : null;
      if (n instanceof FencedCodeBlock b) {
        Matcher m =
            MARKER.matcher(b.getPrevious() instanceof HtmlBlock h ? h.getLiteral().trim() : "");
        boolean marked = m.matches();
        blocks.add(
            new Block(
                line + 1,
                b.getInfo().trim(),
                b.getLiteral().lines().toList(),
                marked ? m.group(1) : null,
                marked ? m.group(2) : null,
                anchors.size() - 1));
      } else if (n instanceof Heading) {
        anchors.add(ids.generateId(plain(n)));
      } else if (n instanceof Link || n instanceof Image) {
        links.add(
            new Span(
                line, n instanceof Link l ? l.getDestination() : ((Image) n).getDestination()));
      } else if (n instanceof HtmlBlock) {
        folds += literal.split("<details", -1).length - literal.split("</details>", -1).length;
      } else if ((n instanceof Text || n instanceof Code) && folds == 0) {
        words +=
            Stream.of(literal.trim().split("\\s+"))
                .filter(w -> w.codePoints().anyMatch(Character::isLetterOrDigit))
                .count();
      }
      if (literal != null) {
        (n instanceof Code ? code : text).add(new Span(line, literal));
      }
      walk(n);
    }
  }

  // A heading's text as GitHub slugs it: its text and code, without the markup around them.
  private static String plain(Node node) {
    StringBuilder text = new StringBuilder();
    for (Node n = node.getFirstChild(); n != null; n = n.getNext()) {
      text.append(
          n instanceof Text t ? t.getLiteral() : n instanceof Code c ? c.getLiteral() : plain(n));
    }
    return text.toString();
  }

  static Page read(Path path) {
    return READ.computeIfAbsent(path.toAbsolutePath().normalize(), p -> new Page(p, Repo.read(p)));
  }

  String at(int line) {
    return name + ":" + line;
  }

  String at(int line, String what, Object... args) {
    return at(line) + ": " + what.formatted(args);
  }

  boolean chinese() {
    return name.startsWith("docs/zh/") || name.equals("README.zh-CN.md");
  }

  /** Every page a reader may open: docs/ and its folders, the READMEs and CONTRIBUTING.md. */
  static List<Page> all() {
    return Stream.concat(
            Repo.files(ROOT.resolve("docs")).stream().filter(p -> p.toString().endsWith(".md")),
            Stream.of("README.md", "README.zh-CN.md", "CONTRIBUTING.md")
                .map(ROOT::resolve)
                .filter(Files::exists))
        .map(Page::read)
        .toList();
  }
}
