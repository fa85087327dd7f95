import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputFileError, parseYaml } from './yaml-file.js';

const Schema = z.strictObject({
  name: z.string(),
  sut: z.strictObject({ accepted_commit: z.string().regex(/^[0-9a-f]{40}$/, 'a full 40-hex commit sha') }),
});

describe('parseYaml', () => {
  it('names file, line and key path of a bad value', () => {
    const text = 'name: demo\nsut:\n  accepted_commit: main\n';
    expect(() => parseYaml(text, 'rehearse.yaml', Schema)).toThrow(InputFileError);
    expect(() => parseYaml(text, 'rehearse.yaml', Schema)).toThrow(
      'rehearse.yaml:3: sut.accepted_commit: a full 40-hex commit sha',
    );
  });

  it('names the line of an unknown key itself, and the parent line of a missing key', () => {
    expect(() => parseYaml('name: demo\nsut:\n  other: 1\n', 'c.yaml', Schema)).toThrow(
      /c\.yaml:3: sut\.other: unknown key `other`/,
    );
    expect(() => parseYaml('name: demo\nsut:\n  other: 1\n', 'c.yaml', Schema)).toThrow(
      /c\.yaml:3: sut\.accepted_commit: /,
    );
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(() => parseYaml('name: a\nname: b\n', 'd.yaml', Schema)).toThrow(/d\.yaml:2/);
    expect(() => parseYaml('name: [\n', 'e.yaml', Schema)).toThrow(/e\.yaml:\d/);
  });

  it('returns the validated value', () => {
    const sha = 'a'.repeat(40);
    expect(parseYaml(`name: x\nsut: { accepted_commit: ${sha} }\n`, 'f.yaml', Schema)).toEqual({
      name: 'x',
      sut: { accepted_commit: sha },
    });
  });
});

describe('the alias guard', () => {
  const Any = z.unknown();
  const bomb = [
    'name: demo',
    'x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ...[1, 2, 3, 4, 5, 6, 7, 8].map(
      (i) =>
        `x${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
    ),
  ].join('\n');

  it('refuses a "billion laughs" document as a usage error naming the file, the line and the aliases, without expanding it', () => {
    const t0 = Date.now();
    expect(() => parseYaml(bomb, 'bomb.yaml', Any)).toThrow(InputFileError);
    expect(() => parseYaml(bomb, 'bomb.yaml', Any)).toThrow(
      /^bomb\.yaml:6: x4: YAML aliases expand to more than 10000 values by here \(alias \*a3, alias 28 of the file\)/,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('refuses an alias inside its own anchor', () => {
    expect(() => parseYaml('a: &x [1, *x]\n', 'loop.yaml', Any)).toThrow(/loop\.yaml:1: a: .*alias/);
  });

  it('allows a few aliases', () => {
    expect(parseYaml('a: &x [1, 2]\nb: *x\nc: *x\n', 'ok.yaml', Any)).toEqual({ a: [1, 2], b: [1, 2], c: [1, 2] });
  });
});

describe('YAML mistakes in plain words: the line of the mistake, the key path, what to do', () => {
  const Any = z.unknown();
  const message = (text: string, schema: z.ZodType = Any) => {
    try {
      parseYaml(text, 'c.yaml', schema);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };

  it('says to quote a value holding `: `, at the line where the value starts', () => {
    expect(message('name: demo\nsut:\n  path: x\n  description: Run: the cutover\n  other: 1\n')).toBe(
      'c.yaml:4: sut.description: this value holds `: ` (a colon and a space), which YAML reads as a nested key: quote the value (\'...\' or "...")',
    );
    expect(message('steps:\n  - run: psql -c x: y\n')).toMatch(/^c\.yaml:2: steps\[0\]\.run: this value holds `: `/);
  });

  it('names the line of a `: ` a value goes on to, and the line where that value starts', () => {
    expect(message('name: demo\nsut:\n  path: x\n   other: y\n')).toBe(
      'c.yaml:3: sut.path: this value goes on to line 4, whose `: ` YAML reads as a nested key: if line 4 is a key of its own, indent it like the keys above; if it belongs to the value, quote the value',
    );
  });

  it('says that ` #` starts a comment when the value it cut short is refused', () => {
    const Command = z.strictObject({
      sut: z.strictObject({ command: z.string().regex(/ /, 'a command and its arguments') }),
    });
    expect(message('sut:\n  command: echo #1\n', Command)).toBe(
      'c.yaml:2: sut.command: a command and its arguments (the ` #` on this line starts a YAML comment, so the value ends before it: quote the value if `#` belongs to it)',
    );
    expect(message('name: demo\nlist: [a, b #c]\nx: 1\n')).toBe(
      'c.yaml:2: list: the list opened with `[` here is never closed: end it with `]`; the ` #` on line 2 starts a comment, which hides the rest of that line: quote the value holding `#`',
    );
  });

  it('says to replace a tab in the indentation with spaces, at the tab, under the key it indents', () => {
    expect(message('name: demo\nsut:\n\tpath: x\n')).toBe(
      'c.yaml:3: sut: a tab indents this line, and YAML indents with spaces only: replace the tab with spaces',
    );
    // Only the tab: the errors it causes further on are not the user's mistake.
    expect(message('name: demo\nsut:\n  path:\tx\n  other:\n\t- a\n')).toBe(
      'c.yaml:5: sut.other: a tab indents this line, and YAML indents with spaces only: replace the tab with spaces',
    );
  });

  it('names a duplicate key, its key path and the line of its first occurrence', () => {
    expect(message('name: demo\nenv:\n  a: 1\n  a: 2\n')).toBe(
      'c.yaml:4: env.a: the key `a` is given twice in the same mapping (first on line 3): keep one',
    );
  });

  it('places an unclosed `[`, `{` or quote on the line where it opens, not where the parser noticed', () => {
    expect(message('name: demo\nenvironment:\n  name: x\n  fast_restore: [true\nartefacts:\n  roles: a\n')).toBe(
      'c.yaml:4: environment.fast_restore: the list opened with `[` here is never closed: end it with `]`',
    );
    expect(message('steps:\n  - run: x\n    expect:\n      stdout: [a, b\n  - run: y\n')).toBe(
      'c.yaml:4: steps[0].expect.stdout: the list opened with `[` here is never closed: end it with `]`',
    );
    expect(message('name: demo\nenvironment: {a: 1\nartefacts:\n  roles: a\n')).toBe(
      'c.yaml:2: environment: the mapping opened with `{` here is never closed: end it with `}`',
    );
    expect(message('name: demo\nsut:\n  path: "demo\n  x: 1\n')).toBe(
      'c.yaml:3: sut.path: the value opened with `"` here is never closed: end it with `"`',
    );
  });

  it('explains a misaligned key, a key without `: ` and a value starting with a reserved character', () => {
    expect(message('name: demo\nsut:\n    path: x\n  other: y\n')).toBe(
      'c.yaml:4: sut: this key is indented differently from the keys above it: indent it like the keys it belongs with',
    );
    expect(message('name:demo\nsut: 1\n')).toBe(
      'c.yaml:1: this key is not followed by `: ` (a colon and a space) on its line: write `key: value`',
    );
    expect(message('name: @demo\n')).toBe('c.yaml:1: name: an unquoted value cannot start with `@`: quote the value');
  });
});
