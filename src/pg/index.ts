// The PostgreSQL layer: the only code that opens SQL connections.
export * from './readiness.js';
export * from './client-tools.js';
