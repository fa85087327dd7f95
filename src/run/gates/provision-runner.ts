// G3 for the container runner: the steps' runner (its network holder and install volume) on the
// run's internal network, and the install step in an install-phase container without credentials.
import { defaultRunnerImage, prepareContainerRunner, runnerSteps } from '../../engine/index.js';
import { InterruptedError } from '../../errors.js';
import { redact } from '../../evidence/index.js';
import { ContainerStepRunner } from '../../scenario/index.js';
import type { StartedServer } from '../dry-run-environment.js';
import { healthBaseline } from '../environment-health.js';
import { GateFailure } from '../gate-failure.js';
import { hostRegistry } from '../host-registry.js';
import { step } from '../progress.js';
import { need, type RunContext } from '../run-context.js';
import type { ContainerRunnerPlan } from '../run-plan.js';
import { tail } from './text-tail.js';

export async function provisionRunner(
  ctx: RunContext,
  plan: ContainerRunnerPlan,
  server: StartedServer,
): Promise<void> {
  const { docker, names } = ctx;
  const run = need(ctx.run, 'the open run');
  const runner = await prepareContainerRunner(docker, run.journal, {
    envName: names.container,
    image: plan.image ?? defaultRunnerImage(),
    checkout: ctx.paths.sut,
    output: plan.installOutput,
    dryRunContainerId: server.env.netnsHolderId ?? server.env.containerId,
    secretDir: run.dir,
  });
  ctx.health = await healthBaseline(docker, server, runner.holder);
  const steps = new ContainerStepRunner(runnerSteps(docker, run.journal, runner));
  ctx.stepRunner = steps;
  if (plan.install.length === 0) return;
  const argv = [...plan.install];
  const registry = await hostRegistry();
  const ran = await step(ctx.progress, `install (${argv.join(' ')}) in an install-phase container`, () =>
    steps.install({
      argv,
      network: names.network,
      timeoutMs: plan.installTimeoutMs,
      signal: ctx.signal,
      registry,
    }),
  );
  ctx.scanPlaces.push({ place: 'install stdout', text: ran.stdout }, { place: 'install stderr', text: ran.stderr });
  ctx.install = { argv, exitCode: ran.exitCode };
  if (ran.canceled) throw new InterruptedError('cancel');
  // A registry outage and a bad lockfile look the same from here: the environment failed us.
  if (ran.exitCode !== 0)
    throw new GateFailure(
      'environment',
      `the install step \`${argv.join(' ')}\` exited ${ran.exitCode ?? 'by a signal'}: ${tail(redact(ran.stderr, ctx.secrets), 5).join(' / ')}`,
    );
}
