import type { Argv } from 'yargs';
import { colour } from './output.js';

export const command = 'doctor';
export const describe =
  'Check this machine: engine, image, PostgreSQL client tools, free disk; with --config, that production lets a physical copy replicate; each failure says what to do';

export function builder(y: Argv) {
  return y
    .option('config', {
      type: 'string',
      describe:
        "a rehearsal config: for `production.copy: physical`, check production's REPLICATION attribute and pg_hba replication line as G1 does",
    })
    .example('$0 doctor', 'exit 0 when ready to rehearse, 3 when not')
    .example(
      '$0 doctor --config rehearse.yaml',
      'also what the config asks of production (2: the config cannot be read)',
    );
}

export async function handler(argv: { config?: string }): Promise<number> {
  const { doctor } = await import('../run/doctor.js');
  const { dockerClient } = await import('../run/docker.js');
  const checks = await doctor(dockerClient(), argv.config === undefined ? {} : { config: argv.config });
  for (const c of checks) {
    process.stdout.write(`${c.ok ? colour.green('ok  ') : colour.red('FAIL')} ${c.name}: ${c.detail}\n`);
    if (!c.ok && c.fix) process.stdout.write(`     what to do: ${c.fix}\n`);
  }
  return checks.every((c) => c.ok) ? 0 : 3;
}
