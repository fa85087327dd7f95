// The SQL files the change under review adds or modifies (base..accepted), read at the accepted
// commit from git itself, so the lint sees what was committed whatever the work tree holds.
import { execa } from 'execa';

export interface ChangedSqlFile {
  /** Relative to the repository's top. */
  path: string;
  text: string;
}

/** `git diff --name-only -z` output -> the paths it names. */
export function namesOfDiff(stdout: string): string[] {
  return stdout.split('\0').filter((p) => p !== '');
}

/** Added or modified `*.sql` files of base..accepted (a renamed file counts as added), with their text at accepted. */
export async function changedSqlFiles(repo: string, base: string, accepted: string): Promise<ChangedSqlFile[]> {
  const git = (args: string[]) =>
    execa('git', ['-C', repo, ...args], { env: { GIT_OPTIONAL_LOCKS: '0' }, maxBuffer: 64 * 1024 * 1024 });
  const { stdout } = await git([
    'diff',
    '--name-only',
    '-z',
    '--no-renames',
    '--diff-filter=AM',
    base,
    accepted,
    '--',
    '*.sql',
  ]);
  const files: ChangedSqlFile[] = [];
  for (const path of namesOfDiff(stdout)) {
    files.push({ path, text: (await git(['show', `${accepted}:${path}`])).stdout });
  }
  return files;
}
