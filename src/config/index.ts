// The config layer: zod schemas of every input; reads files, has no other side effects.
export * from './provision-options.js';
export * from './rehearsal-config.js';
export * from './grant-matrix-file.js';
export * from './yaml-file.js';
export * from './text-file.js';
export * from './sql-artefact.js';
export * from './load-config.js';
export * from './report-schema.js';
export * from './events-schema.js';
export * from './scenario.js';
export * from './sql-policy.js';
export { isStatementKind } from './statement-kinds.js';
export { loadPack, loadWatchedTables, assertDeltasWatched, type LoadedScenario } from './pack.js';
export * from './locks-schema.js';
export * from './locks-config.js';
export * from './lint-schema.js';
export * from './dump-footprint-schema.js';
