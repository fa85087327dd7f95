// Run ids: sortable by start time, unique by 8 random hex digits.
import { randomBytes } from 'node:crypto';

export function newRunId(now: Date, random: () => string = () => randomBytes(4).toString('hex')): string {
  const iso = now.toISOString(); // 2026-11-25T17:01:57.123Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `${date}-${time}-${random()}`;
}

export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{8}$/;
