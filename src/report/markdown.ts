// report.md, in the spirit of a hand-written rehearsal report: the verdict line, the scenario
// progress, the failure with its evidence, the required-output table, and the next gate. Every
// sentence is read from the report; the sections are numbered as they are rendered.
import type { Report } from '../config/index.js';
import { lintSection } from './markdown-lint.js';
import { dumpFootprintSection } from './markdown-dump-footprint.js';
import { locksSection } from './markdown-locks.js';
import { openingLines } from './markdown-opening.js';
import { requiredOutputSection } from './markdown-required-output.js';
import { headed } from './markdown-section.js';
import { traceFindingsSection } from './markdown-trace-findings.js';
import {
  failureSection,
  gatesSection,
  nextGateSection,
  progressSection,
  provenanceSection,
  retriesSection,
  scenarioSection,
  tableMatrixSection,
} from './markdown-sections.js';

export function renderMarkdown(r: Report): string {
  const sections = [
    progressSection(r),
    scenarioSection(r),
    failureSection(r),
    traceFindingsSection(r),
    requiredOutputSection(r),
    gatesSection(r),
    tableMatrixSection(r),
    locksSection(r),
    lintSection(r),
    dumpFootprintSection(r),
    retriesSection(r),
    provenanceSection(r),
    nextGateSection(r),
  ];
  return [...openingLines(r), ...headed(sections)].join('\n');
}
