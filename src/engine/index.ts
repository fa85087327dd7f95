// The engine layer: the only code that calls dockerode.
export * from './labels.js';
export { dockerClient, checkEngine, isNotFoundError, type DockerClient, type EngineInfo } from './docker-client.js';
export { defaultImage, inspectImage, recipeHash, PACKAGE_ROOT, type ImageInfo } from './image.js';
export {
  environmentNames,
  assertNamesFree,
  createEnvironment,
  containerHealth,
  copyNetnsName,
  findContainerByName,
  findNetworkByName,
  type Environment,
  type EnvironmentNames,
  type EnvironmentSpec,
  type PhysicalStart,
} from './environment.js';
export { RunJournal } from './run-journal.js';
export {
  createRunDir,
  listRunIds,
  readRunState,
  removeRunDir,
  runDir,
  stateFilePath,
  stateRoot,
  type RunState,
} from './run-state.js';
export { probeWritable, type WritableProbe } from './writable-folder.js';
export { generatePassword, writeSecretFile, shredFile } from './secret-file.js';
export { teardownRecorded, remainingOf, type TeardownOutcome, type ResourceTeardown } from './teardown.js';
export { finishRun, settleRunState, staleRunIds, isStale } from './finish-run.js';
export { readFinishedRun, finishedRecordPath, FINISHED_KEEP_MS, type FinishedRun } from './finished-run.js';
export { spawnReaper } from './reaper.js';
export { isAlive, identityOf } from './owner-process.js';
export { containerIdentity, containerLog, sameContainer, type ContainerIdentity } from './container-identity.js';
export { containerState, unpauseIfPaused, type ContainerState } from './container-state.js';
export {
  startSideServer,
  removeSideServer,
  restartSideServer,
  LABEL_SIDE,
  type SideServerSpec,
} from './side-containers.js';
export { execRead, containerSysid, parseControlDataSysid } from './container-exec.js';
export {
  cacheKey,
  commitSnapshot,
  findSnapshot,
  listSnapshots,
  removeSnapshot,
  snapshotTag,
  CACHE_REPOSITORY,
  type Snapshot,
  type CacheKeyParts,
} from './cache-snapshot.js';
export { inspectByName, inspectResource, type Inspected } from './inspect-by-name.js';
export { RUNNER_RECIPE_FILES, runnerRecipeHash, defaultRunnerImage, imagePath } from './runner-image.js';
export { runnerNames, assertRunnerNamesFree, type RunnerNames } from './runner-names.js';
export { findVolumeByName, createInstallVolume } from './install-volume.js';
export {
  INHIBIT_IPV4,
  createInternalNetwork,
  joinInternalNetwork,
  startNetnsHolder,
  type InternalNetwork,
  type NetnsHolder,
} from './runner-network.js';
export { DEFAULT_INSTALL_OUTPUT, planCheckoutMounts, type CheckoutPlan, type CheckoutBind } from './checkout-mounts.js';
export {
  secretEnvFile,
  runRunnerContainer,
  type RunnerContainerSpec,
  type RunnerContainerOptions,
  type RunnerContainerRun,
} from './runner-container.js';
export {
  prepareContainerRunner,
  inContainer,
  readOnlyWriteNote,
  type ContainerRunner,
  type ContainerRunnerSpec,
} from './container-runner.js';
export { runnerSteps, type RunnerSteps, type RunnerInstallCommand, type RunnerStepCommand } from './runner-steps.js';
export {
  physicalPrepareScript,
  COPY_DATA_DIR,
  COPY_PARENT_DIR,
  PREPARE_DONE,
  verifyOfLog,
  VERIFY_FAILED,
  type InContainerVerify,
  SET_ASIDE_FILES,
  type PrepareScriptSpec,
} from './physical-prepare.js';
export {
  copyFolderIntoContainer,
  copyStdinInto,
  makeFolderInContainer,
  readContainerFile,
  type CopiedFolder,
} from './copy-into-container.js';
export { containerDefaultRoutes, parseDefaultRoutes } from './default-routes.js';
export { namespaceHolderOf } from './netns-holder.js';
