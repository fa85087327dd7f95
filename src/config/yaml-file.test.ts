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
