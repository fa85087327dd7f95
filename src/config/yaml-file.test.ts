import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputFileError, parseYaml } from './yaml-file.js';

const Schema = z.strictObject({ name: z.string(), sut: z.strictObject({ accepted_commit: z.string().regex(/^[0-9a-f]{40}$/, 'a full 40-hex commit sha') }) });

describe('parseYaml', () => {
  it('names file, line and key path of a bad value', () => {
    const text = 'name: demo\nsut:\n  accepted_commit: main\n';
    expect(() => parseYaml(text, 'rehearse.yaml', Schema)).toThrow(InputFileError);
    expect(() => parseYaml(text, 'rehearse.yaml', Schema)).toThrow('rehearse.yaml:3: sut.accepted_commit: a full 40-hex commit sha');
  });

  it('names the line of an unknown key itself, and the parent line of a missing key', () => {
    expect(() => parseYaml('name: demo\nsut:\n  other: 1\n', 'c.yaml', Schema)).toThrow(/c\.yaml:3: sut\.other: unknown key `other`/);
    expect(() => parseYaml('name: demo\nsut:\n  other: 1\n', 'c.yaml', Schema)).toThrow(/c\.yaml:3: sut\.accepted_commit: /);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(() => parseYaml('name: a\nname: b\n', 'd.yaml', Schema)).toThrow(/d\.yaml:2/);
    expect(() => parseYaml('name: [\n', 'e.yaml', Schema)).toThrow(/e\.yaml:\d/);
  });

  it('returns the validated value', () => {
    const sha = 'a'.repeat(40);
    expect(parseYaml(`name: x\nsut: { accepted_commit: ${sha} }\n`, 'f.yaml', Schema)).toEqual({ name: 'x', sut: { accepted_commit: sha } });
  });
});
