import { describe, expect, it } from 'vitest';
import { generatePassword } from '../engine/secret-file.js';
import { leakMessage, leakScan } from './leak-scan.js';
import {
  CUT_BY_SOURCE,
  redactStatement,
  findLeaks,
  findPasswordLiterals,
  redact,
  redactPasswordLiterals,
  REDACTED,
  secretForms,
  secretVariants,
} from './redact.js';

const SECRET = 'p@ss:w/rd?#&+=%x';

describe('secret forms', () => {
  it('has the raw, percent-encoded, base64 and base64url forms of the raw secret, longest first', () => {
    const forms = secretForms(SECRET);
    for (const form of [
      SECRET,
      encodeURIComponent(SECRET),
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(SECRET).toString('base64url'),
    ])
      expect(forms).toContain(form);
    expect([...forms].sort((a, b) => b.length - a.length)).toEqual(forms);
    expect(new Set(forms).size).toBe(forms.length);
  });

  it('labels a form equal to the raw secret as raw, and has no form of an empty secret', () => {
    expect(secretVariants('plainsecret123').filter((v) => v.text === 'plainsecret123')).toEqual([
      { form: 'raw', text: 'plainsecret123' },
    ]);
    expect(secretForms('')).toEqual([]);
  });

  it("has the form a URL's userinfo gives a password (some reserved characters left raw)", () => {
    const url = new URL('postgres://cutter_app@127.0.0.1:5432/ledger');
    url.password = SECRET;
    expect(secretForms(SECRET)).toContain(url.password);
  });
});

describe('redact', () => {
  it('replaces every form in a DSN, a header and plain text', () => {
    const dsn = `postgres://cutter_app:${encodeURIComponent(SECRET)}@127.0.0.1/ledger`;
    const header = `Authorization: Basic ${Buffer.from(`cutter_app:${SECRET}`).toString('base64')}`;
    const token = Buffer.from(SECRET).toString('base64url');
    const text = `dsn=${dsn}\n${header}\nraw=${SECRET} token=${token}`;
    const out = redact(text, [SECRET]);
    expect(findLeaks(out, [SECRET])).toEqual([]);
    expect(out).toContain(`postgres://cutter_app:${REDACTED}@127.0.0.1/ledger`);
    expect(out).toContain(`raw=${REDACTED} token=${REDACTED}`);
  });

  it('redacts several secrets and leaves other text alone', () => {
    const a = generatePassword();
    const b = generatePassword();
    expect(redact(`a=${a} b=${encodeURIComponent(b)} c=plain`, [a, b])).toBe(`a=${REDACTED} b=${REDACTED} c=plain`);
    expect(redact('nothing here', [])).toBe('nothing here');
  });
});

describe('findLeaks', () => {
  it('finds each form with its offset and secret', () => {
    const b64 = Buffer.from(SECRET).toString('base64');
    const text = `x ${SECRET} y ${encodeURIComponent(SECRET)} z ${b64}`;
    expect(findLeaks(text, ['other-secret-value', SECRET])).toEqual([
      { form: 'raw', index: 2, secret: 1 },
      { form: 'percent-encoded', index: text.indexOf(encodeURIComponent(SECRET)), secret: 1 },
      { form: 'base64', index: text.indexOf(b64), secret: 1 },
    ]);
  });

  it('finds a secret base64-encoded at any offset of a longer payload', () => {
    for (const user of ['a', 'ab', 'abc', 'cutter_app']) {
      const text = Buffer.from(`${user}:${SECRET}`).toString('base64');
      expect(
        findLeaks(text, [SECRET]).map((l) => l.form),
        user,
      ).toEqual(['base64']);
    }
  });

  it('finds lower-case percent escapes too', () => {
    const lower = encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
    expect(findLeaks(`dsn ${lower}`, [SECRET])).toEqual([{ form: 'percent-encoded', index: 4, secret: 0 }]);
  });

  it('reports nothing for clean text', () => {
    expect(findLeaks('postgres://cutter_app:[REDACTED]@127.0.0.1/ledger', [generatePassword()])).toEqual([]);
  });
});

describe('password literals', () => {
  it("redacts the value of PASSWORD '...', ENCRYPTED PASSWORD, E'...' and dollar quotes, whoever wrote them", () => {
    const log = [
      `LOG:  statement: CREATE ROLE check_pw LOGIN PASSWORD 'hunter2-check';`,
      `LOG:  statement: alter role x with encrypted password 'it''s-a-secret';`,
      `LOG:  statement: alter role y password E'back\\\\slash\\'quote';`,
      'LOG:  statement: alter role z password $pw$dollar-secret$pw$;',
      'LOG:  statement: alter role w password null;',
    ].join('\n');
    const out = redactPasswordLiterals(log);
    for (const secret of ['hunter2-check', "it''s-a-secret", 'slash', 'dollar-secret'])
      expect(out).not.toContain(secret);
    expect(out).toContain("CREATE ROLE check_pw LOGIN PASSWORD '[REDACTED]';");
    expect(out).toContain("with encrypted password '[REDACTED]';");
    expect(out).toContain("alter role z password '[REDACTED]';");
    expect(out).toContain('alter role w password null;');
    expect(redact(log, [])).toBe(out);
  });

  it('redacts a literal cut before its closing quote to the end of its line, and finds it', () => {
    expect(redactPasswordLiterals("x PASSWORD 'abc\\\nnext line")).toBe("x PASSWORD '[REDACTED]'\nnext line");
    expect(findPasswordLiterals("x PASSWORD 'abc")).toEqual([2]);
  });

  it('finds the literals that still carry a value, not the redacted ones', () => {
    expect(findPasswordLiterals("a PASSWORD 'x' b PASSWORD '[REDACTED]' c PASSWORD ''")).toEqual([2]);
  });
});

describe('leakScan', () => {
  it('counts a password literal in any place as a hit, even one the run did not generate, except where told not to look', () => {
    const result = leakScan(
      ['s3cret-generated'],
      [
        { place: 'S1 step stdout', text: "ALTER ROLE app PASSWORD 'typed-by-hand'" },
        { place: 'server log', text: "alter role app password 'SCRAM-SHA-256$4096:x'", literals: false },
        { place: 'console', text: 'nothing here' },
      ],
    );
    expect(result.hits).toBe(1);
    expect(result.places).toEqual([
      { place: 'S1 step stdout', hits: 1, literals: 1, owners: [] },
      { place: 'server log', hits: 0, literals: 0, owners: [] },
      { place: 'console', hits: 0, literals: 0, owners: [] },
    ]);
    expect(leakMessage(result.places.filter((p) => p.hits > 0))).toBe(
      "a PASSWORD '...' literal appeared in S1 step stdout",
    );
  });
});

describe('redactStatement', () => {
  const secret = 'k3y-0f-the-signing-service';

  it('redacts, then cuts to its length with a mark', () => {
    expect(redactStatement(`select '${secret}'`, [secret])).toBe("select '[REDACTED]'");
    expect(redactStatement('x'.repeat(400), [secret])).toBe(`${'x'.repeat(299)}…`);
  });

  it('trims a text the server cut inside a secret, which no longer matches it, past the longest form of a secret', () => {
    const cutInside = `update ledger.signer set key = '${secret.slice(0, 9)}${CUT_BY_SOURCE}`;
    const kept = redactStatement(cutInside, [secret]);
    expect(kept).not.toContain(secret.slice(0, 3));
    expect(kept.endsWith('…')).toBe(true);
    expect(findLeaks(kept, [secret])).toEqual([]);
    // A whole secret before the cut is redacted first, never left half-trimmed.
    const whole = `select '${secret}', '${'y'.repeat(80)}${CUT_BY_SOURCE}`;
    const longest = Math.max(...secretForms(secret).map((f) => f.length));
    expect(redactStatement(whole, [secret])).toBe(`select '[REDACTED]', '${'y'.repeat(80 - longest)}…`);
  });
});
