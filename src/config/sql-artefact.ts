// The roles and grants SQL, read when the inputs are loaded: UTF-8 text that carries no password
// literal. The dry-run roles get per-run generated passwords; a password written into an artefact
// under review would run, stand in the server's log, and travel with every copy of the pack.
import { readTextInput } from './text-file.js';
import { InputFileError, type YamlIssue } from './yaml-file.js';

interface LiteralPattern {
  regex: RegExp;
  what: string;
}

// Each pattern finds the keyword, never the value: a message names the line, not the password.
const PASSWORD_LITERALS: readonly LiteralPattern[] = [
  { regex: /\b(?:UN)?ENCRYPTED\s+PASSWORD\b/gi, what: 'ENCRYPTED PASSWORD' },
  { regex: /\bPASSWORD\s+(?:E|U&)?'/gi, what: "PASSWORD '...'" },
  { regex: /\bPASSWORD\s+\$[A-Za-z0-9_]*\$/gi, what: 'PASSWORD $$...$$' },
  { regex: /\bPASSWORD\s+:['"]?[A-Za-z_]/gi, what: "PASSWORD :'variable' (a psql variable)" },
  { regex: /\\password\b/gi, what: 'the \\password meta-command' },
];

/** Every password literal of an SQL file's text, one issue a line, naming the file and the line (never the value). */
export function passwordLiteralIssues(text: string, file: string, what: string): YamlIssue[] {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineAt = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const found = new Map<number, string>();
  for (const p of PASSWORD_LITERALS) {
    for (const m of text.matchAll(p.regex)) {
      const line = lineAt(m.index);
      if (!found.has(line)) found.set(line, p.what);
    }
  }
  return [...found.entries()]
    .sort(([a], [b]) => a - b)
    .map(([line, kind]) => ({
      file,
      line,
      path: '',
      message: `a password literal (${kind}) is refused in the ${what}: the dry-run roles get per-run generated passwords; remove the PASSWORD clause (PASSWORD NULL is allowed), and change that password wherever it is real`,
    }));
}

/** Read the roles or grants SQL: UTF-8, and no password literal (a usage error naming the file and line). */
export async function loadSqlArtefact(file: string, what: string, key: string): Promise<string> {
  const text = await readTextInput(file, what, `check \`artefacts.${key}\` in the config`);
  const issues = passwordLiteralIssues(text, file, what);
  if (issues.length > 0) throw new InputFileError(issues);
  return text;
}
