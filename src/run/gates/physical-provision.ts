// G3 of a physical copy: the container is created but not started, G2's verified base backup is
// sent into it through the engine as PGDATA (streamed, G2 runs here and writes it there), and its
// first start runs the prepare script (engine/physical-prepare.ts): a streamed copy verified by
// the image's pg_verifybackup, production's configuration set aside, one single-user step that
// gives the tool its role and this run's password and disables every subscription, then the real
// server with every setting on its command line, the per-run marker among them.
import { join } from 'node:path';
import { EnvironmentError } from '../../errors.js';
import {
  containerLog,
  verifyOfLog,
  copyFolderIntoContainer,
  defaultRunnerImage,
  COPY_DATA_DIR,
  COPY_PARENT_DIR,
  physicalPrepareScript,
  TOOL_ROLE,
  type PhysicalStart,
} from '../../engine/index.js';
import { copyPrepareSql, MARKER_SETTING, physicalCopySettings, QUIET_SINGLE_USER_SETTINGS } from '../../pg/index.js';
import { newSecret, type OpenRun } from '../dry-run-environment.js';
import { need, type RunContext } from '../run-context.js';
import { StoppedByGate } from '../gate-failure.js';
import { BASE_BACKUP_ENTRY, physicalStreamGate, recordInContainerVerify } from './physical-backup.js';

/** The settings of the copy's real server: the plan's (isolating overrides included) and this run's marker. */
export function copyServerSettings(ctx: RunContext): Record<string, string> {
  return { ...ctx.plan.serverSettings, [MARKER_SETTING]: ctx.runId };
}

/** What startServer needs for a physical copy's first start. */
export function physicalStart(ctx: RunContext, run: OpenRun) {
  return async (_passwordFile: string, password: string): Promise<PhysicalStart> => {
    const streamed = ctx.plan.streamedIntoContainer;
    const script = physicalPrepareScript({
      singleUser: { ...physicalCopySettings(COPY_DATA_DIR), ...QUIET_SINGLE_USER_SETTINGS },
      server: copyServerSettings(ctx),
      verify: streamed,
    });
    // Both are shredded at teardown; the script holds no secret, its SQL holds the tool's password (as a SCRAM verifier).
    const scriptFile = (await newSecret(run, 'prepare.sh', script)).path;
    const sqlFile = (await newSecret(run, 'prepare.sql', copyPrepareSql(TOOL_ROLE, password))).path;
    return {
      scriptFile,
      sqlFile,
      netnsImage: defaultRunnerImage(),
      beforeStart: async (containerId) => {
        if (streamed) {
          await ctx.runInner('G2', 'backup', () => physicalStreamGate(ctx, containerId));
          if (ctx.rec.gate('G2').status !== 'PASS')
            throw new StoppedByGate('G2', 'the base backup streaming into the created container failed');
          return;
        }
        const backup = need(ctx.backup, "G2's base backup");
        ctx.progress.note(
          `  sending the base backup into the container through the engine (${join(backup.dir, BASE_BACKUP_ENTRY)})`,
        );
        ctx.copied = await copyFolderIntoContainer(
          containerId,
          backup.dir,
          BASE_BACKUP_ENTRY,
          COPY_PARENT_DIR,
          run.dir,
          ctx.signal,
        );
      },
    };
  };
}

/**
 * A streamed copy's start, with the in-container pg_verifybackup's verdict read from the log: a
 * server that answers after a clean verify, or the verify's own words when it stopped the start.
 */
export async function withInContainerVerify<T>(ctx: RunContext, start: () => Promise<T>): Promise<T> {
  if (!ctx.plan.streamedIntoContainer) return start();
  const verdict = async () => verifyOfLog(await containerLog(ctx.docker, ctx.names.container));
  let started: T;
  try {
    started = await start();
  } catch (err) {
    if (!(err instanceof EnvironmentError && err.code === 'E_CONTAINER_EXITED')) throw err;
    const found = await verdict().catch(() => null);
    if (found && !found.ok) recordInContainerVerify(ctx, found);
    throw err;
  }
  recordInContainerVerify(ctx, await verdict());
  return started;
}
