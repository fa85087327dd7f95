import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { scramVerifier } from './restore.js';

const b64 = (s: string) => Buffer.from(s, 'base64');
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b[i]!));

describe('scramVerifier', () => {
  it('yields keys that reproduce the RFC 7677 SCRAM-SHA-256 exchange for "pencil"', () => {
    const salt = b64('W22ZaJ0SNY7soEsUEjb6gQ==');
    const verifier = scramVerifier('pencil', salt, 4096);
    const m = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
    expect(m).not.toBeNull();
    expect(m![1]).toBe('W22ZaJ0SNY7soEsUEjb6gQ==');
    const storedKey = b64(m![2]!);
    const serverKey = b64(m![3]!);
    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    // The server checks a client proof with StoredKey only: ClientKey = proof XOR HMAC(StoredKey, AuthMessage), H(ClientKey) = StoredKey.
    const clientProof = b64('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    const clientKey = xor(clientProof, createHmac('sha256', storedKey).update(authMessage).digest());
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
    expect(createHmac('sha256', serverKey).update(authMessage).digest('base64')).toBe(
      '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    );
  });

  it('salts each verifier freshly and never contains the password', () => {
    const password = 'p@ss:w/o?r#d&+=%!x';
    const a = scramVerifier(password);
    const b = scramVerifier(password);
    expect(a).not.toBe(b);
    expect(a).not.toContain(password);
    expect(a).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
  });

  it('refuses a password that SASLprep could change', () => {
    expect(() => scramVerifier('pässword')).toThrow(UsageError);
    expect(() => scramVerifier('')).toThrow(UsageError);
  });
});
