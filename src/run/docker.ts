// The engine client for commands of the run layer (the CLI never imports the engine itself).
export { dockerClient } from '../engine/index.js';
