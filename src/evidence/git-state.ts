// The git state of the system under test: branch, HEAD against the accepted commit, a clean tree.
import { execa } from 'execa';

export interface GitState {
  path: string;
  branch: string | null;
  head: string | null;
  accepted_commit: string;
  head_matches: boolean;
  clean: boolean;
  dirty: string[];
}

export async function gitState(path: string, acceptedCommit: string): Promise<GitState> {
  const git = (args: string[]) =>
    execa('git', ['-C', path, ...args], { reject: false, env: { GIT_OPTIONAL_LOCKS: '0' } });
  const head = await git(['rev-parse', '--verify', 'HEAD']);
  const branch = await git(['symbolic-ref', '--short', '-q', 'HEAD']);
  const status = await git(['status', '--porcelain', '--untracked-files=all', '--', '.']);
  const dirty =
    status.exitCode === 0 ? status.stdout.split('\n').filter(Boolean) : [`git status failed: ${status.stderr.trim()}`];
  const headSha = head.exitCode === 0 ? head.stdout.trim() : null;
  return {
    path,
    branch: branch.exitCode === 0 && branch.stdout.trim() ? branch.stdout.trim() : null,
    head: headSha,
    accepted_commit: acceptedCommit,
    head_matches: headSha === acceptedCommit,
    clean: status.exitCode === 0 && dirty.length === 0,
    dirty,
  };
}
