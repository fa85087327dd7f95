// The live handle on a run's state file: every exact name is written before its create call,
// and its id once the engine answers, so a run killed in between can still be finished.
import { identityOf } from './owner-process.js';
import { writeRunState, type RecordedResource, type RunState, type RunStatus, stateRoot } from './run-state.js';

export class RunJournal {
  private constructor(
    private state: RunState,
    readonly root: string,
  ) {}

  /** Start the state file of a new run, owned by this process. */
  static async open(runId: string, now: Date, root = stateRoot()): Promise<RunJournal> {
    const state: RunState = {
      version: 1,
      runId,
      createdAt: now.toISOString(),
      status: 'active',
      owner: identityOf(process.pid),
      resources: [],
      secrets: [],
    };
    await writeRunState(state, root);
    return new RunJournal(state, root);
  }

  get runId(): string {
    return this.state.runId;
  }

  snapshot(): RunState {
    return structuredClone(this.state);
  }

  /** Record a resource by name (id null, before create) or complete it with its id (after create). */
  async record(resource: RecordedResource): Promise<void> {
    const i = this.state.resources.findIndex((r) => r.kind === resource.kind && r.name === resource.name);
    if (i >= 0) this.state.resources[i] = resource;
    else this.state.resources.push(resource);
    await writeRunState(this.state, this.root);
  }

  async recordSecret(path: string): Promise<void> {
    this.state.secrets.push(path);
    await writeRunState(this.state, this.root);
  }

  async setStatus(status: RunStatus): Promise<void> {
    this.state.status = status;
    await writeRunState(this.state, this.root);
  }
}
