#!/usr/bin/env node
// Writes the JSON Schemas that ship with the package, generated from the zod schemas (the
// single source): schema/report.schema.json and schema/config.schema.json. A unit test checks
// the committed files equal what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { reportJsonSchema, configJsonSchema, eventsJsonSchema } = await import(join(ROOT, 'dist', 'config', 'index.js'));
mkdirSync(join(ROOT, 'schema'), { recursive: true });
writeFileSync(join(ROOT, 'schema', 'report.schema.json'), JSON.stringify(reportJsonSchema(), null, 2) + '\n');
writeFileSync(join(ROOT, 'schema', 'config.schema.json'), JSON.stringify(configJsonSchema(), null, 2) + '\n');
writeFileSync(join(ROOT, 'schema', 'events.schema.json'), JSON.stringify(eventsJsonSchema(), null, 2) + '\n');
process.stderr.write('wrote schema/report.schema.json, schema/config.schema.json and schema/events.schema.json\n');
