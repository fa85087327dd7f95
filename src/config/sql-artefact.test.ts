import { describe, expect, it } from 'vitest';
import { passwordLiteralIssues } from './sql-artefact.js';

const lines = (text: string) => passwordLiteralIssues(text, 'roles.sql', 'roles SQL').map((i) => i.line);

describe('passwordLiteralIssues', () => {
  it("finds PASSWORD '...', ENCRYPTED PASSWORD, E'...', dollar quotes, psql variables and \\password, at their lines", () => {
    const text = [
      'create role a login;',
      "CREATE ROLE b LOGIN PASSWORD 'hunter2';",
      "alter role c with encrypted password 'md5abc';",
      "alter role d password E'x\\'y';",
      'alter role e password $pw$secret$pw$;',
      "alter role f password :'pw';",
      '\\password g',
      'create role h login password null;',
      '-- passwords are generated per run',
      "create role i login\n  password\n  'multi-line';",
    ].join('\n');
    expect(lines(text)).toEqual([2, 3, 4, 5, 6, 7, 11]);
  });

  it('allows PASSWORD NULL and prose about passwords', () => {
    expect(lines('create role a login password null;\n-- the password is set by pg-rehearse\n')).toEqual([]);
  });

  it('names the file and line but never the value', () => {
    const [issue] = passwordLiteralIssues("x\ncreate role b password 'hunter2-value';", 'roles.sql', 'roles SQL');
    expect(issue).toMatchObject({ file: 'roles.sql', line: 2 });
    expect(issue!.message).toContain("a password literal (PASSWORD '...') is refused in the roles SQL");
    expect(issue!.message).not.toContain('hunter2');
  });
});
