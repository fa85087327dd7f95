// The report layer: report.json and report.md from the run record.
export * from './markdown.js';
export * from './write-report.js';
export * from './progress.js';
export { annotationLines, workspacePath } from './github-annotations.js';
export { STEP_SUMMARY_LIMIT_BYTES, stepSummary } from './github-summary.js';
export { workflowCommand } from './github-workflow-command.js';
export { junitXml } from './junit.js';
