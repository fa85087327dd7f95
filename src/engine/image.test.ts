import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultImage, PACKAGE_ROOT, recipeHash } from './image.js';

describe('the local image tag', () => {
  it('is the same as scripts/image-tag computes, so setup and the tool agree', () => {
    const fromScript = execFileSync('bash', ['scripts/image-tag'], { cwd: PACKAGE_ROOT }).toString().trim();
    expect(defaultImage()).toBe(fromScript);
  });

  it('changes when any recipe file changes', () => {
    const base = recipeHash((p) => Buffer.from(p));
    expect(recipeHash((p) => Buffer.from(p === 'image/packages' ? 'postgresql-16' : p))).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{12}$/);
  });
});
