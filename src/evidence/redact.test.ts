import { describe, expect, it } from 'vitest';
import { generatePassword } from '../engine/secret-file.js';
import { findLeaks, redact, REDACTED, secretForms, secretVariants } from './redact.js';

const SECRET = 'p@ss:w/rd?#&+=%x';

describe('secret forms', () => {
  it('has the raw, percent-encoded, base64 and base64url forms of the raw secret, longest first', () => {
    const forms = secretForms(SECRET);
    for (const form of [SECRET, encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('base64url')]) expect(forms).toContain(form);
    expect([...forms].sort((a, b) => b.length - a.length)).toEqual(forms);
    expect(new Set(forms).size).toBe(forms.length);
  });

  it('labels a form equal to the raw secret as raw, and has no form of an empty secret', () => {
    expect(secretVariants('plainsecret123').filter((v) => v.text === 'plainsecret123')).toEqual([{ form: 'raw', text: 'plainsecret123' }]);
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
      expect(findLeaks(text, [SECRET]).map((l) => l.form), user).toEqual(['base64']);
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
