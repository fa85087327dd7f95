// G3 of a physical copy: the container is created but not started, G2's verified base backup is
// sent into it through the engine as PGDATA, and its first start runs the prepare script
// (engine/physical-prepare.ts): production's configuration set aside, one single-user step that
// gives the tool its role and this run's password and disables every subscription, then the real
// server with every setting on its command line, the per-run marker among them.
import { join } from 'node:path';
import {
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
import { BASE_BACKUP_ENTRY } from './physical-backup.js';

/** The settings of the copy's real server: the plan's (isolating overrides included) and this run's marker. */
export function copyServerSettings(ctx: RunContext): Record<string, string> {
  return { ...ctx.plan.serverSettings, [MARKER_SETTING]: ctx.runId };
}

/** What startServer needs for a physical copy's first start. */
export function physicalStart(ctx: RunContext, run: OpenRun) {
  return async (_passwordFile: string, password: string): Promise<PhysicalStart> => {
    const backup = need(ctx.backup, "G2's base backup");
    const script = physicalPrepareScript({
      singleUser: { ...physicalCopySettings(COPY_DATA_DIR), ...QUIET_SINGLE_USER_SETTINGS },
      server: copyServerSettings(ctx),
    });
    // Both are shredded at teardown; the script holds no secret, its SQL holds the tool's password (as a SCRAM verifier).
    const scriptFile = (await newSecret(run, 'prepare.sh', script)).path;
    const sqlFile = (await newSecret(run, 'prepare.sql', copyPrepareSql(TOOL_ROLE, password))).path;
    return {
      scriptFile,
      sqlFile,
      netnsImage: defaultRunnerImage(),
      beforeStart: async (containerId) => {
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
