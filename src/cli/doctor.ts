import type { Argv } from 'yargs';
import { colour } from './output.js';

export const command = 'doctor';
export const describe =
  'Check this machine: engine, image, PostgreSQL client tools, free disk; each failure says what to do';

export function builder(y: Argv) {
  return y.example('$0 doctor', 'exit 0 when ready to rehearse, 3 when not');
}

export async function handler(): Promise<number> {
  const { doctor } = await import('../run/doctor.js');
  const { dockerClient } = await import('../run/docker.js');
  const checks = await doctor(dockerClient());
  for (const c of checks) {
    process.stdout.write(`${c.ok ? colour.green('ok  ') : colour.red('FAIL')} ${c.name}: ${c.detail}\n`);
    if (!c.ok && c.fix) process.stdout.write(`     what to do: ${c.fix}\n`);
  }
  return checks.every((c) => c.ok) ? 0 : 3;
}
