// `rehearse run --junit FILE`: the report as JUnit XML (src/report/junit.ts), leak-scanned with
// report.json before it is written, then written with report.json's sha256 in its properties.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { junitXml } from '../report/index.js';
import type { RunOutput } from './run-outputs.js';

export function junitOutput(file: string): RunOutput {
  return {
    place: `JUnit ${file}`,
    build: junitXml,
    async write(text) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    },
  };
}
