import { describe, expect, it } from 'vitest';
import { leakMessage, leakScan, UNKNOWN_OWNER } from './leak-scan.js';

const owners = new Map([
  ['prod-Pa55word', 'production'],
  ['app-rw-generated-1', 'app_rw'],
  ['tool-generated-2', "the tool's own role (rehearse_tool)"],
]);

describe('leakScan', () => {
  it("names whose secret each place held, each owner once, and never the secret's value", () => {
    const result = leakScan(
      [...owners.keys(), 'unowned-secret-3'],
      [
        { place: 'S1 migrate stderr', text: 'pw app-rw-generated-1 and again app-rw-generated-1' },
        { place: 'S2 seed stdout', text: 'prod-Pa55word then tool-generated-2' },
        { place: 'console', text: 'unowned-secret-3' },
        { place: 'report.md', text: 'nothing here' },
      ],
      owners,
    );
    expect(result.places).toEqual([
      { place: 'S1 migrate stderr', hits: 2, literals: 0, owners: ['app_rw'] },
      { place: 'S2 seed stdout', hits: 2, literals: 0, owners: ['production', "the tool's own role (rehearse_tool)"] },
      { place: 'console', hits: 1, literals: 0, owners: [UNKNOWN_OWNER] },
      { place: 'report.md', hits: 0, literals: 0, owners: [] },
    ]);
    const message = leakMessage(result.places.filter((p) => p.hits > 0));
    expect(message).toBe(
      "the password of app_rw appeared in S1 migrate stderr; the password of production and the password of the tool's own role (rehearse_tool) appeared in S2 seed stdout; a secret of the run appeared in console",
    );
    for (const secret of [...owners.keys(), 'unowned-secret-3']) expect(message).not.toContain(secret);
  });

  it('groups the places that held the same owners, and keeps password literals apart', () => {
    const result = leakScan(
      ['app-rw-generated-1'],
      [
        { place: 'S1 a stdout', text: 'app-rw-generated-1' },
        { place: 'S1 a stderr', text: "app-rw-generated-1 ALTER ROLE x PASSWORD 'typed'" },
      ],
      owners,
    );
    expect(leakMessage(result.places)).toBe(
      "the password of app_rw appeared in S1 a stdout, S1 a stderr; a PASSWORD '...' literal appeared in S1 a stderr",
    );
  });
});
