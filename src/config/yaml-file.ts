// Reading a YAML input and validating it with its zod schema. Every error names the file, the
// line and the key path ("rehearse.yaml:12: sut.accepted_commit: ..."), so a user can go to it.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';

export interface YamlIssue {
  file: string;
  line: number | null;
  path: string;
  message: string;
}

/** A usage error listing every issue of an input file, each with its file, line and key path. */
export class InputFileError extends UsageError {
  constructor(readonly issues: readonly YamlIssue[]) {
    super(issues.map((i) => `${i.file}${i.line ? `:${i.line}` : ''}: ${i.path || '(top level)'}: ${i.message}`).join('\n'));
  }
}

/** The 1-based line of the node at `path` in the document, or of its nearest existing parent. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
    if (n === 0 && doc.contents && 'range' in doc.contents && doc.contents.range) return counter.linePos(doc.contents.range[0]).line;
  }
  return null;
}

export const keyPath = (path: readonly PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replaceAll('.[', '[');

export type ExtraCheck = (value: unknown) => { path: (string | number)[]; message: string }[];

/** Parse YAML text and validate it; on failure throw InputFileError with line numbers. */
export function parseYaml<T extends z.ZodType>(text: string, file: string, schema: T, extra?: ExtraCheck): z.infer<T> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputFileError(doc.errors.map((e) => ({ file, line: counter.linePos(e.pos[0]).line, path: '', message: e.message.split('\n')[0]! })));
  }
  const value: unknown = doc.toJS();
  const result = schema.safeParse(value);
  // An unknown key is reported at that key, not at the object holding it.
  const zodIssues = result.success
    ? []
    : result.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: [...i.path, k], message: `unknown key \`${k}\`` })) : [{ path: i.path, message: i.message }]));
  const issues = [...(extra?.(value) ?? []), ...zodIssues];
  if (issues.length > 0 || !result.success) {
    throw new InputFileError(issues.map((i) => ({ file, line: lineOf(doc, counter, i.path), path: keyPath(i.path), message: i.message })));
  }
  return result.data;
}

/** The 1-based line of a key path in YAML text (or of its nearest parent), for issues found after validation. */
export function lineOfPath(text: string, path: readonly PropertyKey[]): number | null {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  return lineOf(doc, counter, path);
}

/** Read and validate a YAML file; a missing or unreadable file is a usage error naming it. */
export async function loadYaml<T extends z.ZodType>(file: string, schema: T, what: string, extra?: ExtraCheck): Promise<z.infer<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    throw new UsageError(`cannot read the ${what} \`${file}\`${code ? ` (${code})` : ''}`, { cause: err, hint: `check the path of the ${what}` });
  }
  return parseYaml(text, file, schema, extra);
}

