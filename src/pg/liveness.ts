// Is a server still answering? One readiness probe (a fresh TCP connection and a real query that
// reads the postmaster start time), bounded: a hung server must not hang the run that asks.
import { probe, type ReadinessSample, type ServerAddress } from './readiness.js';

/** The probe's answer, or a failed sample when there is none within `timeoutMs`. */
export async function probeWithin(address: ServerAddress, timeoutMs: number): Promise<ReadinessSample> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ReadinessSample>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([probe(address), late]);
  } finally {
    clearTimeout(timer);
  }
}
