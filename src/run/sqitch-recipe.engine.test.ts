// examples/sqitch: Debian's sqitch, installed by scripts/setup-sqitch when missing (this fails loudly when it
// cannot be installed, never skips); the policy allows sqitch's registry, the schema sqitch, beyond the DDL.
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../engine/index.js';
import { describeRecipe } from '../test-support/recipe-suite.js';

describeRecipe({
  recipe: 'sqitch',
  prefix: 'pgr-recipe-sqitch',
  prepare: async () => {
    const r = await execa('bash', [join(PACKAGE_ROOT, 'scripts', 'setup-sqitch')], { reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`scripts/setup-sqitch could not make sqitch ready:\n${r.all}`);
  },
  // up: CREATE SCHEMA sqitch, its 6 tables, ALTER TABLE ADD, CREATE INDEX; down: DROP INDEX, ALTER TABLE DROP
  ddl: { up: { ALTER: 1, CREATE: 8 }, down: { ALTER: 1, DROP: 2 } },
  bookkeeping: (o) => o === 'sqitch' || o.startsWith('sqitch.'),
  withoutAllow: ['S1 INSERT', 'S3 DELETE'],
});
