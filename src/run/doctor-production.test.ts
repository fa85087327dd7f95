import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../engine/index.js';
import { UsageError } from '../errors.js';
import { doctorProduction, productionDoctorChecks } from './doctor-production.js';

const DEMO = join(PACKAGE_ROOT, 'fixtures', 'demo');
const dirs: string[] = [];

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('doctorProduction', () => {
  it('checks no replication for a logical copy, and says so', async () => {
    const p = await doctorProduction(join(DEMO, 'rehearse.yaml'));
    expect(p).toEqual({ copy: 'logical', config: join(DEMO, 'rehearse.yaml') });
    expect(await productionDoctorChecks(p)).toEqual([
      {
        name: 'production copy',
        ok: true,
        detail: `${join(DEMO, 'rehearse.yaml')}: production.copy is logical (pg_dump), which needs no replication`,
        fix: null,
      },
    ]);
  });

  it("is a usage error when a physical config's DSN variable is not set: nothing is checked", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-doctor-unit-'));
    dirs.push(dir);
    const text = (await readFile(join(DEMO, 'rehearse-physical.yaml'), 'utf8')).replace(
      /^ {2}dsn_file: .*$/m,
      '  dsn_env: PG_REHEARSE_TEST_UNSET_DSN',
    );
    await writeFile(join(dir, 'rehearse.yaml'), text);
    delete process.env['PG_REHEARSE_TEST_UNSET_DSN'];
    const reading = doctorProduction(join(dir, 'rehearse.yaml'));
    await expect(reading).rejects.toBeInstanceOf(UsageError);
    await expect(reading).rejects.toThrow(/production\.dsn_env names `PG_REHEARSE_TEST_UNSET_DSN`, which is not set/);
  });
});
