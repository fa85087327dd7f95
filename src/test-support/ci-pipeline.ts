// The example pipelines of examples/ run here as their CI service would run them: each step's shell
// commands in bash with the service's variables, a step after a failure only where the service
// would run it, and the artifacts it would upload looked for on disk. No CI service is reachable,
// so this is the part of the service a test can stand in for: the commands are the file's own.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

type Vars = Record<string, string>;

export interface PipelineStep {
  name: string;
  /** The shell commands; null for a step that uses an action (checkout, upload). */
  run: string | null;
  env: Vars;
  /** Runs after an earlier step failed (GitHub's `if: always()`). */
  always: boolean;
  /** Paths it uploads (GitHub's upload-artifact `path`), as written in the file. */
  uploads: string[];
}

export interface Pipeline {
  env: Vars;
  steps: PipelineStep[];
  /** GitLab's `artifacts:paths`, `artifacts:reports:junit` and whether they are kept on failure. */
  artifacts: { paths: string[]; junit: string | null; always: boolean };
}

const lines = (text: unknown): string[] =>
  typeof text === 'string' ? text.split('\n').filter((l) => l.trim() !== '') : [];

/** The one job of a GitHub Actions workflow, as steps. */
export async function githubJob(file: string): Promise<Pipeline> {
  const wf = parse(await readFile(file, 'utf8')) as { jobs: Record<string, Record<string, unknown>> };
  const jobs = Object.values(wf.jobs);
  if (jobs.length !== 1) throw new Error(`${file}: expected one job, found ${jobs.length}`);
  const job = jobs[0] as { env?: Vars; steps: Record<string, unknown>[] };
  const steps = job.steps.map((s, i): PipelineStep => {
    const uses = typeof s.uses === 'string' ? s.uses : null;
    const withs = (s.with ?? {}) as Record<string, unknown>;
    return {
      name: typeof s.name === 'string' ? s.name : (uses ?? `step ${i + 1}`),
      run: typeof s.run === 'string' ? s.run : null,
      env: (s.env ?? {}) as Vars,
      always: s.if === 'always()',
      uploads: uses?.startsWith('actions/upload-artifact@') ? lines(withs.path) : [],
    };
  });
  return { env: job.env ?? {}, steps, artifacts: { paths: [], junit: null, always: false } };
}

/** The one job of a GitLab CI file: before_script and script as steps, and its artifacts. */
export async function gitlabJob(file: string): Promise<Pipeline> {
  const doc = parse(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>;
  const jobs = Object.values(doc).filter((j) => typeof j === 'object' && j !== null && 'script' in j);
  if (jobs.length !== 1) throw new Error(`${file}: expected one job, found ${jobs.length}`);
  const job = jobs[0] as {
    variables?: Vars;
    before_script?: string[];
    script: string[];
    artifacts?: { paths?: string[]; when?: string; reports?: { junit?: string } };
  };
  const step = (name: string, cmds: string[] = []): PipelineStep => ({
    name,
    run: cmds.join('\n'),
    env: {},
    always: false,
    uploads: [],
  });
  const a = job.artifacts ?? {};
  return {
    env: job.variables ?? {},
    steps: [step('before_script', job.before_script), step('script', job.script)],
    artifacts: { paths: a.paths ?? [], junit: a.reports?.junit ?? null, always: a.when === 'always' },
  };
}

/** GitHub's `${{ env.X }}`, `${{ secrets.X }}` and `${{ runner.temp }}` as the service would fill them. */
export function githubExpressions(text: string, ctx: { env: Vars; secrets: Vars; temp: string }): string {
  return text.replace(/\$\{\{\s*([a-z]+)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, scope: string, name: string) => {
    if (scope === 'env') return ctx.env[name] ?? '';
    if (scope === 'secrets') return ctx.secrets[name] ?? '';
    if (scope === 'runner' && name === 'temp') return ctx.temp;
    throw new Error(`the test does not know the expression ${whole}`);
  });
}

/** GitLab's `$X` in a variable's value, from the variables before it. */
export const gitlabVariables = (vars: Vars, base: Vars): Vars => {
  const out: Vars = {};
  for (const [k, v] of Object.entries(vars))
    out[k] = String(v).replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => out[n] ?? base[n] ?? '');
  return out;
};

export interface StepResult {
  name: string;
  exitCode: number | null;
  output: string;
}

/** Run the steps in `cwd` as the service would: after a failure only `always` steps; bash with -e and pipefail. */
export async function runSteps(steps: PipelineStep[], cwd: string, env: Vars): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let failed = false;
  for (const s of steps) {
    if (failed && !s.always) continue;
    if (s.run === null) {
      results.push({ name: s.name, exitCode: null, output: '' });
      continue;
    }
    const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', s.run], {
      cwd,
      env: { ...env, ...s.env },
      extendEnv: false,
      all: true,
      reject: false,
    });
    results.push({ name: s.name, exitCode: r.exitCode ?? null, output: r.all ?? '' });
    if (r.exitCode !== 0) failed = true;
  }
  return results;
}

/** Of the paths a pipeline uploads, those not on disk under `cwd`. */
export const missingPaths = (paths: string[], cwd: string) => paths.filter((p) => !existsSync(join(cwd, p)));
