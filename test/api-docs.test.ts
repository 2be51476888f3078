/**
 * The public API's contract with its users: every symbol exported from the package root
 * carries TSDoc, as does every public method and property of every exported class; and no
 * public type mentions `any`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/fixtures.js';

const program = ts.createProgram([join(ROOT, 'src', 'index.ts')], {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
const entry = program.getSourceFile(join(ROOT, 'src', 'index.ts'))!;
const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!);

function resolve(symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function hasDoc(symbol: ts.Symbol): boolean {
  if (symbol.getDocumentationComment(checker).length > 0) return true;
  // Overloads and accessors: any declaration with a JSDoc block counts.
  return (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
}

describe('public API documentation', () => {
  it('exports a substantial API', () => {
    expect(exports.length).toBeGreaterThan(60);
  });

  it('every exported symbol has TSDoc', () => {
    const missing = exports.map(resolve).filter((s) => !hasDoc(s)).map((s) => s.getName());
    expect(missing).toEqual([]);
  });

  it('every public member of every exported class has TSDoc (overrides inherit their base docs)', () => {
    const missing: string[] = [];
    for (const symbol of exports.map(resolve)) {
      if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
      const decl = symbol.declarations?.find(ts.isClassDeclaration);
      if (!decl) continue;
      for (const member of decl.members) {
        const mods = ts.getCombinedModifierFlags(member as ts.Declaration);
        if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || ts.isPropertyDeclaration(member) && member.name.kind === ts.SyntaxKind.PrivateIdentifier) continue;
        if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member)) continue;
        if (mods & ts.ModifierFlags.Override) continue;
        const name = member.name?.getText() ?? '?';
        if (name === 'type' || name === 'name') continue; // discriminants, documented on the class
        const memberSymbol = member.name ? checker.getSymbolAtLocation(member.name) : undefined;
        if (!memberSymbol || !hasDoc(memberSymbol)) missing.push(`${symbol.getName()}.${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no public declaration uses `any`', () => {
    const offenders: string[] = [];
    for (const file of program.getSourceFiles()) {
      if (!file.fileName.startsWith(join(ROOT, 'src'))) continue;
      const visit = (node: ts.Node): void => {
        if (node.kind === ts.SyntaxKind.AnyKeyword) {
          const { line } = file.getLineAndCharacterOfPosition(node.getStart());
          offenders.push(`${file.fileName.slice(ROOT.length + 1)}:${line + 1}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    expect(offenders).toEqual([]);
    expect(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')).toMatch(/"strict": true/);
  });
});
