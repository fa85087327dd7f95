// The scenario layer: the pack, running a step of the system under test, and checking what it did.
export { loadPack, loadWatchedTables, parseWatchedTables, assertDeltasWatched, type LoadedScenario } from './pack.js';
export { stepCwd, type StepRun, type StepRunner, type StepRunContext, type RunnableStep } from './step-runner.js';
export { MAX_OUTPUT_BYTES } from './output-capture.js';
export { HostStepRunner, runStep, stepEnv, type StepContext } from './host-step-runner.js';
export {
  checkStep,
  checkRows,
  checkDeltas,
  firstFailure,
  namesError,
  endOf,
  excerpt,
  type Check,
  type CheckOptions,
  type RunOutcome,
} from './expectations.js';
export { exceptionOf, type ExceptionSite } from './failure-site.js';
export {
  ContainerStepRunner,
  runContainerInstall,
  runContainerStep,
  type RunnerContainers,
  type ContainerEnd,
  type ContainerRunOptions,
  type ContainerStepContext,
  type InstallOptions,
} from './container-step-runner.js';
