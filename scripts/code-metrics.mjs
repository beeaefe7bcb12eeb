// Code-health figures for the design issue: exports of src/ used only by tests (or by nothing),
// and the longest functions. Uses the TypeScript compiler's own symbol resolution, so re-exports
// through index files are followed to the declaration. Run: node scripts/code-metrics.mjs [--top N] [--json]
import ts from 'typescript';
import { resolve, relative, sep } from 'node:path';

const repo = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const top = Number(args[args.indexOf('--top') + 1]) || 15;
const json = args.includes('--json');

const cfg = ts.getParsedCommandLineOfConfigFile(
  resolve(repo, 'tsconfig.json'),
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
);
const program = ts.createProgram(cfg.fileNames, cfg.options);
const checker = program.getTypeChecker();
const rel = (f) => relative(repo, f).split(sep).join('/');
const files = program
  .getSourceFiles()
  .filter((f) => !f.isDeclarationFile && !rel(f.fileName).startsWith('node_modules'));

function original(sym) {
  let s = sym;
  while (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
  return s;
}
function declFile(sym) {
  const d = sym?.declarations?.[0];
  return d ? rel(d.getSourceFile().fileName) : undefined;
}

// Every exported declaration of src/ (not index re-exports).
const exported = new Map(); // symbol -> {name, file, users:Set}
for (const sf of files) {
  const f = rel(sf.fileName);
  if (!f.startsWith('src/')) continue;
  const modSym = checker.getSymbolAtLocation(sf);
  if (!modSym) continue;
  for (const e of checker.getExportsOfModule(modSym)) {
    const o = original(e);
    if (!o || declFile(o) !== f) continue;
    if (!exported.has(o)) exported.set(o, { name: e.name, file: f, users: new Set() });
  }
}
// Who references each one, outside its own file and outside re-export lines.
for (const sf of files) {
  const f = rel(sf.fileName);
  const visit = (node) => {
    if (ts.isExportDeclaration(node) || ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node)) {
      const s = checker.getSymbolAtLocation(node);
      const o = s && original(s);
      const rec = o && exported.get(o);
      if (rec && rec.file !== f) rec.users.add(f.split('/')[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
const onlyTests = [],
  unused = [];
for (const r of exported.values()) {
  if (r.users.has('src')) continue;
  // Used within its own file only counts as production use when referenced there.
  (r.users.size === 0 ? unused : onlyTests).push(`${r.file}:${r.name}`);
}

// Function lengths (lines of the body).
const funcs = [];
for (const sf of files) {
  const f = rel(sf.fileName);
  if (!f.startsWith('src/')) continue;
  const visit = (node) => {
    if (
      (ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isArrowFunction(node) ||
        ts.isConstructorDeclaration(node)) &&
      node.body
    ) {
      const a = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const b = sf.getLineAndCharacterOfPosition(node.end).line;
      const name =
        node.name?.getText(sf) ??
        (ts.isVariableDeclaration(node.parent)
          ? node.parent.name.getText(sf)
          : ts.isConstructorDeclaration(node)
            ? 'constructor'
            : '(anonymous)');
      funcs.push({ where: `${f}:${a + 1}`, name, lines: b - a + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
funcs.sort((x, y) => y.lines - x.lines);
const result = {
  exports: exported.size,
  exportsUsedOnlyByTestsOrBench: onlyTests.length,
  exportsUnused: unused.length,
  longestFunctions: funcs.slice(0, top),
  functionsOver100Lines: funcs.filter((x) => x.lines > 100).length,
};
if (json) console.log(JSON.stringify({ ...result, onlyTests, unused }, null, 2));
else {
  console.log(
    `exports in src/: ${result.exports}; used only by tests/bench: ${result.exportsUsedOnlyByTestsOrBench}; used nowhere outside their file: ${result.exportsUnused}`,
  );
  console.log(`functions over 100 lines: ${result.functionsOver100Lines}`);
  for (const x of result.longestFunctions) console.log(`  ${String(x.lines).padStart(5)}  ${x.name}  ${x.where}`);
}
