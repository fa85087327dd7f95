// The scenario layer: running a step of the system under test (on the host or in a container)
// and checking what it did. What other layers use; the tests import each file directly.
export { type StepRun, type StepRunner } from './step-runner.js';
export { HostStepRunner } from './host-step-runner.js';
export { checkStep, checkRows, checkDeltas } from './expectations.js';
export { exceptionOf } from './failure-site.js';
export { ContainerStepRunner } from './container-step-runner.js';
