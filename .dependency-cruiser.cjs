// The layers of DESIGN.md ("may use"), checked in CI by dependency-cruiser (`npm run lint`).
// Every layer may import src/errors.ts, src/secret-files.ts (0600 files written and shredded),
// src/plural.ts (counts and cut lists in a sentence), src/byte-size.ts (sizes as people read them), src/process-group.ts (ending a detached child with all its processes) and the types of src/config/; those files
// import no layer. Tests and src/test-support/ may import anything. src/run/gates/ may use what
// src/run/ may.
const LAYERS = {
  cli: ['run', 'report', 'config'],
  config: [],
  engine: [],
  pg: [],
  scenario: ['pg'],
  evidence: [],
  run: ['config', 'engine', 'pg', 'scenario', 'evidence', 'report'],
  report: ['config'],
};
const TESTS = '(\\.test\\.ts$|^src/test-support/)';

const layerRules = Object.entries(LAYERS).flatMap(([layer, mayUse]) => [
  {
    name: `${layer}-may-use`,
    comment: `src/${layer}/ may use ${mayUse.length ? mayUse.map((l) => `src/${l}/`).join(', ') : 'no other layer'} (DESIGN.md, Layout)`,
    severity: 'error',
    from: { path: `^src/${layer}/`, pathNot: TESTS },
    to: {
      path: '^src/',
      pathNot: [
        `^src/${layer}/`,
        '^src/(errors|secret-files|plural|byte-size|process-group)\\.ts$',
        '^src/config/',
        ...mayUse.map((l) => `^src/${l}/`),
      ],
    },
  },
  ...(mayUse.includes('config') || layer === 'config'
    ? []
    : [
        {
          name: `${layer}-config-types-only`,
          comment: `src/${layer}/ may import only the types of src/config/`,
          severity: 'error',
          from: { path: `^src/${layer}/`, pathNot: TESTS },
          to: {
            path: '^src/config/',
            // The vocabularies of statement kinds and lock modes have no imports; the config's schemas and the evidence both read them.
            pathNot: layer === 'evidence' ? '^src/config/(statement-kinds|lock-mode-names)\\.ts$' : undefined,
            dependencyTypesNot: ['type-only'],
          },
        },
      ]),
]);

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'shared-files-import-no-layer',
      comment: 'src/errors.ts, src/secret-files.ts, src/plural.ts, src/byte-size.ts and src/process-group.ts are shared by every layer, so they import none',
      severity: 'error',
      from: { path: '^src/(errors|secret-files|plural|byte-size|process-group)\\.ts$' },
      to: { path: '^src/[a-z-]+/' },
    },
    {
      name: 'no-test-support-in-production',
      comment: 'src/test-support/ serves tests only',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^src/test-support/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|fixtures|node_modules)/' },
  },
};
