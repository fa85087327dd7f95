import { describe, expect, it } from 'vitest';
import { SquawkError } from '../evidence/index.js';
import { squawkCheck } from './doctor.js';

describe("doctor's squawk check", () => {
  it("is ok with the installed squawk's version", async () => {
    const c = await squawkCheck();
    expect(c).toMatchObject({ name: 'squawk', ok: true, fix: null });
    expect(c.detail).toMatch(/^squawk 2\.\d+\.\d+, for the lint$/);
  });

  it('says what to do when squawk is missing', async () => {
    const c = await squawkCheck(() => Promise.reject(new SquawkError('missing', "squawk's binary is not installed")));
    expect(c).toMatchObject({ ok: false, detail: "squawk's binary is not installed" });
    expect(c.fix).toMatch(/--include=optional.*lint: off/);
  });
});
