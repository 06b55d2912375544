// Issue 9 ("done when"): no function in src/ is longer than 100 lines, measured with the
// TypeScript parser. Every function-like node counts (declarations, methods, arrows, function
// expressions), from its first line to its last, so a closure that holds a whole module counts in
// full. `longestFunctions` also lists src/ and electron/ for the report (`npx vitest run
// test/agent/function-length.test.ts` prints the ten longest).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const LIMIT_LINES = 100;

interface FunctionLength {
  readonly where: string;
  readonly name: string;
  readonly lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts)$/.test(d.name) && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

export function functionLengths(files: readonly string[]): FunctionLength[] {
  const found: FunctionLength[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body !== undefined) {
        const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        found.push({ where: `${relative(process.cwd(), file)}:${first + 1}`, name: nameOf(node), lines: last - first + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

describe('issue 9: functions fit on a screen or two', () => {
  it('no function in src/ is longer than 100 lines (electron/ is checked by the layout test)', () => {
    const tooLong = functionLengths(sourceFiles('src')).filter((f) => f.lines > LIMIT_LINES);
    expect(tooLong).toEqual([]);
  });

  it('lists the longest functions in src/ and electron/ (for the report)', () => {
    const longest = functionLengths([...sourceFiles('src'), ...sourceFiles('electron')]).slice(0, 10);
    console.log(longest.map((f) => `${String(f.lines).padStart(4)}  ${f.name}  ${f.where}`).join('\n'));
    expect(longest.length).toBeGreaterThan(0);
  });
});
