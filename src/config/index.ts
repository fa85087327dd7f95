// The config layer: zod schemas of every input; reads files, has no other side effects.
export * from './provision-options.js';
