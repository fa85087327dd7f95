// examples/node-pg-migrate: the migrations as a checkout with its node_modules (npm ci, git-ignored), run on
// the host; the policy allows node-pg-migrate's public.pgmigrations beyond the migration's DDL.
import { describeRecipe } from '../test-support/recipe-suite.js';

describeRecipe({
  recipe: 'node-pg-migrate',
  prefix: 'pgr-recipe-npm',
  install: ['npm', 'ci', '--no-audit', '--no-fund'],
  // up: ALTER TABLE ADD, CREATE TABLE pgmigrations, CREATE INDEX; down: DROP INDEX, ALTER TABLE DROP (ALTER, DROP)
  ddl: { up: { ALTER: 1, CREATE: 2 }, down: { ALTER: 1, DROP: 2 } },
  bookkeeping: (o) => o === 'public.pgmigrations',
  withoutAllow: ['S1 INSERT', 'S3 DELETE'],
});
