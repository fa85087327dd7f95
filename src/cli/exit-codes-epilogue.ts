// The exit codes every command's --help lists (DESIGN.md).
export const EXIT_CODES_EPILOGUE = [
  'Exit codes:',
  '  0  PASS, or the command did what was asked',
  '  1  FAIL: the system under test or an artefact under review is wrong',
  '  2  usage error: bad command line or config, missing file; nothing was created',
  '  3  INCONCLUSIVE: the engine, production, disk or readiness failed us, or a bug of ours',
  '  4  teardown incomplete: something created could not be proved gone; `rehearse teardown --run-id ID` finishes it',
].join('\n');
