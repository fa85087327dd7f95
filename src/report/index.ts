// The report layer: report.json and report.md from the run record.
export * from './markdown.js';
export * from './write-report.js';
export * from './progress.js';
export { junitXml } from './junit.js';
