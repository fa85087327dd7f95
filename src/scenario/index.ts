// The scenario layer: the pack, running a step of the system under test, and checking what it did.
export { loadPack, loadWatchedTables, parseWatchedTables, assertDeltasWatched, type LoadedScenario } from './pack.js';
export { runStep, stepCwd, stepEnv, MAX_OUTPUT_BYTES, type StepRun, type StepContext } from './step-runner.js';
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
  prepareContainerRunner,
  runContainerInstall,
  runContainerStep,
  inContainer,
  readOnlyWriteNote,
  type ContainerRunner,
  type ContainerRunnerSpec,
  type ContainerStepContext,
  type InstallOptions,
} from './container-step-runner.js';
