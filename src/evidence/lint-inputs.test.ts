import { describe, expect, it } from 'vitest';
import { parseAuditLog } from './audit-log.js';
import { traceLintInputs } from './lint-inputs.js';
import { parseServerLog } from './sql-trace.js';

const line = (sec: string, pid: number, user: string, rest: string) =>
  `2026-11-25 10:00:0${sec} UTC [${pid}] app=psql user=${user} db=shop LOG:  ${rest}`;
const log = [
  line('1.100', 11, 'shop_migrator', 'statement: ALTER TABLE public.device ADD COLUMN firmware text NOT NULL'),
  line('1.200', 11, 'shop_migrator', 'statement: SELECT count(*) FROM public.device'),
  line('1.300', 11, 'shop_migrator', 'statement: INSERT INTO public.device (id) VALUES (1)'),
  // The tool's own DDL is not the system's: left out by session user, whatever the application name.
  line('1.400', 12, 'rehearse_tool', 'statement: CREATE TABLE public.tool_marker (x int)'),
  line(
    '2.100',
    13,
    'shop_migrator',
    "statement: DO $$ BEGIN EXECUTE 'CREATE INDEX device_fw ON public.device (firmware)'; END $$",
  ),
  line(
    '2.100',
    13,
    'shop_migrator',
    'AUDIT: SESSION,1,1,FUNCTION,DO,,,"DO $$ BEGIN EXECUTE \'CREATE INDEX device_fw ON public.device (firmware)\'; END $$",<not logged>',
  ),
  line(
    '2.200',
    13,
    'shop_migrator',
    'AUDIT: SESSION,1,2,DDL,CREATE INDEX,INDEX,public.device_fw,CREATE INDEX device_fw ON public.device (firmware),<not logged>',
  ),
  line('3.100', 14, 'shop_migrator', 'statement: TRUNCATE public.reading CASCADE'),
].join('\n');

describe('the DDL the lint reads from the trace', () => {
  it("is the system's logged schema changes and the DDL run inside its DO blocks, not its reads, writes or DO text", async () => {
    const inputs = await traceLintInputs(parseServerLog(log), parseAuditLog(log), 'rehearse_tool');
    expect(inputs).toEqual([
      {
        text: 'ALTER TABLE public.device ADD COLUMN firmware text NOT NULL',
        at: '2026-11-25T10:00:01.100Z',
        nested: false,
      },
      { text: 'TRUNCATE public.reading CASCADE', at: '2026-11-25T10:00:03.100Z', nested: false },
      {
        text: 'CREATE INDEX device_fw ON public.device (firmware)',
        at: '2026-11-25T10:00:02.200Z',
        nested: true,
      },
    ]);
  });

  it('reads no audit entries when pgaudit was off', async () => {
    const inputs = await traceLintInputs(parseServerLog(log), [], 'rehearse_tool');
    expect(inputs.map((i) => i.nested)).toEqual([false, false]);
  });
});
