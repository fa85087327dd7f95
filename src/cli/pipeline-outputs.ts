// What `rehearse run` writes for a pipeline beside the report, from its flags: `--junit FILE` and
// `--events FILE|-`. The events are told to the console and to the events file alike; with
// `--events -` stdout carries the events alone, so the data lines (run id, report paths, sha256)
// go to stderr with the human lines.
import { join } from 'node:path';
import { eventsOutput } from '../run/events-output.js';
import { junitOutput } from '../run/junit-output.js';
import type { Progress } from '../run/progress.js';
import type { RunOutput } from '../run/run-outputs.js';

export interface PipelineFlags {
  out: string;
  junit?: string | undefined;
  events?: string | undefined;
}

export function pipelineOutputs(flags: PipelineFlags, console: Progress): { outputs: RunOutput[]; progress: Progress } {
  const outputs: RunOutput[] = [];
  if (flags.junit) outputs.push(junitOutput(flags.junit));
  if (!flags.events) return { outputs, progress: console };
  const events = eventsOutput({ target: flags.events, reportPath: join(flags.out, 'report.json') });
  outputs.push(events);
  const toStdout = flags.events === '-';
  return {
    outputs,
    progress: {
      data: (line) => (toStdout ? void process.stderr.write(`${line}\n`) : console.data(line)),
      start: (step) => console.start(step),
      end: (step, ok, ms, detail) => console.end(step, ok, ms, detail),
      note: (message, kind) => console.note(message, kind),
      event: (e) => {
        console.event(e);
        events.event(e);
      },
    },
  };
}
