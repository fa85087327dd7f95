// `rehearse run` off a terminal (a CI log, a file): a line when each gate or scenario starts and
// when it ends, its reason under a failure; the steps inside a gate as before (a line at their
// end). Under GitHub Actions each gate's lines sit in a `::group::` (its end line just after, so a
// folded log still shows every verdict); groups do not nest, so G2 inside G4 is in G4's.
import { workflowCommand } from '../report/index.js';
import type { NoteKind, Progress } from '../run/progress.js';
import type { Colour } from './console-colour.js';
import { endLine, gateEndLines, startLine } from './console-lines.js';

export function plainConsole(io: {
  err: (text: string) => void;
  out: (text: string) => void;
  colour: Colour;
  github: boolean;
}): Progress {
  const open: string[] = [];
  const line = (l: string) => io.err(`${l}\n`);
  return {
    data: (l) => io.out(`${l}\n`),
    start: () => {},
    end: (step, ok, ms, detail) => {
      // The gate's own end is drawn from its event.
      if (step !== open.at(-1)) line(endLine(step, ok, ms, detail, io.colour));
    },
    note: (message: string, _kind?: NoteKind) => line(message),
    event: (e) => {
      if (e.type === 'gate_start') {
        if (io.github && open.length === 0) line(workflowCommand('group', [], `${e.id} ${e.title}`));
        open.push(`${e.id} ${e.title}`);
        line(startLine(e, io.colour));
      } else if (e.type === 'gate_end') {
        open.pop();
        if (io.github && open.length === 0) line('::endgroup::');
        for (const l of gateEndLines(e, io.colour)) line(l);
      } else if (e.type === 'retry') {
        line(`  retry ${e.attempt} (${e.what}): ${e.reason}`);
      }
    },
  };
}

/** `--quiet`: the run id, the verdict line, the report paths and its sha256 (and what could not be written). */
export function quietConsole(io: { err: (text: string) => void; out: (text: string) => void }): Progress {
  return {
    data: (l) => io.out(`${l}\n`),
    start: () => {},
    end: () => {},
    note: (message, kind) => {
      if (kind) io.err(`${message}\n`);
    },
    event: () => {},
  };
}
