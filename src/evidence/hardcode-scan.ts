// The hardcode scan of the change under review: the lines the accepted commit adds against a
// base commit, searched for literal IP addresses, DSNs carrying a password and password
// assignments (and any patterns the config adds). A finding names its file and line.
import { execa } from 'execa';

export interface HardcodePattern {
  name: string;
  regex: string;
}

export const DEFAULT_HARDCODE_PATTERNS: readonly HardcodePattern[] = [
  {
    name: 'literal IPv4 address',
    regex: String.raw`\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b`,
  },
  { name: 'DSN with a password', regex: String.raw`\b[a-z][a-z0-9+.-]*://[^\s/:@'"]+:[^\s@/'"]+@` },
  { name: 'password assignment', regex: String.raw`(?:password|passwd|pwd|secret)["']?\s*[:=]\s*["'][^"'\s]{3,}["']` },
];

export interface AddedLine {
  file: string;
  line: number;
  text: string;
}

export interface HardcodeFinding extends AddedLine {
  pattern: string;
}

/** The added lines of a unified diff (`git diff -U0`), with their file and line in the new version. */
export function addedLines(diff: string): AddedLine[] {
  const out: AddedLine[] = [];
  let file = '';
  let line = 0;
  for (const raw of diff.split('\n')) {
    if (raw.startsWith('+++ ')) file = raw.slice(4).replace(/^b\//, '');
    else if (raw.startsWith('@@')) line = Number(/\+(\d+)/.exec(raw)?.[1] ?? 0);
    else if (raw.startsWith('+') && file !== '/dev/null') out.push({ file, line: line++, text: raw.slice(1) });
  }
  return out;
}

/** Every added line matching a pattern (case-insensitive), unless an allow pattern matches it too. */
export function findHardcodes(
  lines: readonly AddedLine[],
  patterns: readonly HardcodePattern[],
  allow: readonly string[] = [],
): HardcodeFinding[] {
  const compiled = patterns.map((p) => ({ name: p.name, re: new RegExp(p.regex, 'i') }));
  const allowed = allow.map((a) => new RegExp(a, 'i'));
  const findings: HardcodeFinding[] = [];
  for (const l of lines) {
    if (allowed.some((a) => a.test(l.text))) continue;
    for (const p of compiled) if (p.re.test(l.text)) findings.push({ ...l, pattern: p.name });
  }
  return findings;
}

/** The diff of the change under review (base..accepted) in the system's checkout. */
export async function changeDiff(repo: string, base: string, accepted: string): Promise<string> {
  const { stdout } = await execa('git', ['-C', repo, 'diff', '--no-color', '--no-ext-diff', '-U0', base, accepted], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
