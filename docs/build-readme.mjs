// Builds README.md from docs/README.head.md and the reference documents of each area, so each
// area keeps one source of its documentation. Run: node docs/build-readme.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const docs = dirname(fileURLToPath(import.meta.url));
const ORDER = [
  'machine.md',
  'cxl-math.md',
  'cxl.md',
  'cxl-registers.md',
  'mailbox.md',
  'tables.md',
  'memory.md',
  'pci.md',
  'cpu.md',
  'jit.md',
  'board.md',
  'observe-dma.md',
  'guests.md',
  'cxl-driver.md',
];
let out = readFileSync(join(docs, 'README.head.md'), 'utf8').trimEnd() + '\n';
for (const name of ORDER) {
  let text = readFileSync(join(docs, name), 'utf8');
  let fence = false;
  // Demote every heading one level (outside code fences) so each document is a README section.
  text = text
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) fence = !fence;
      return !fence && /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join('\n');
  out += `\n<!-- from docs/${name} -->\n\n${text.trimEnd()}\n`;
}
writeFileSync(join(docs, '..', 'README.md'), out);
