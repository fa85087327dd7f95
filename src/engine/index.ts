// The engine layer: the only code that calls dockerode.
export * from './labels.js';
export { dockerClient, checkEngine, isNotFoundError, type DockerClient, type EngineInfo } from './docker-client.js';
export { defaultImage, inspectImage, recipeHash, PACKAGE_ROOT, type ImageInfo } from './image.js';
export {
  environmentNames,
  assertNamesFree,
  createEnvironment,
  containerHealth,
  findContainerByName,
  findNetworkByName,
  type Environment,
  type EnvironmentNames,
  type EnvironmentSpec,
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
export {
  RUNNER_IMAGE_REPOSITORY,
  RUNNER_RECIPE_FILES,
  DRY_RUN_DB_ALIAS,
  DRY_RUN_DB_PORT,
  SUT_MOUNT,
  RUNNER_HOME,
  SECRET_ENV_MOUNT,
  DEFAULT_INSTALL_OUTPUT,
  INHIBIT_IPV4,
  runnerRecipeHash,
  defaultRunnerImage,
  runnerNames,
  assertRunnerNamesFree,
  findVolumeByName,
  createInternalNetwork,
  joinInternalNetwork,
  startNetnsHolder,
  createInstallVolume,
  imagePath,
  planCheckoutMounts,
  secretEnvFile,
  runRunnerContainer,
  type RunnerNames,
  type InternalNetwork,
  type NetnsHolder,
  type CheckoutPlan,
  type CheckoutBind,
  type RunnerContainerSpec,
  type RunnerContainerOptions,
  type RunnerContainerRun,
} from './runner-container.js';
