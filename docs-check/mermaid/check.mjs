// Parses every ```mermaid block of the README and docs/ with Mermaid 11; prints each failure with
// its page and line, and exits 1 if there was one. Mermaid needs a DOM even to parse: jsdom gives
// it one.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

const version = JSON.parse(
  readFileSync(new URL('./node_modules/mermaid/package.json', import.meta.url), 'utf8')).version;
const root = process.argv[2];
const pages = [join(root, 'README.md')];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.md')) pages.push(path);
  }
})(join(root, 'docs'));

let diagrams = 0;
let failures = 0;
for (const page of pages) {
  const lines = readFileSync(page, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```mermaid') continue;
    const start = i + 1;
    const body = [];
    for (i = start; i < lines.length && lines[i].trim() !== '```'; i++) body.push(lines[i]);
    diagrams++;
    try {
      await mermaid.parse(body.join('\n'));
    } catch (e) {
      failures++;
      console.log(`${relative(root, page)}:${start + 1}: ${String(e.message).split('\n').join(' ')}`);
    }
  }
}
console.log(`${diagrams} diagrams parsed with Mermaid ${version}, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
