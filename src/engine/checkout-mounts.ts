// What of the checkout a runner container sees. The checkout is never bound as one folder: each of
// its top-level entries is bound read-only under SUT_MOUNT, a folder of a read-only root file
// system. So the install's output can be mounted at SUT_MOUNT/<output> (a nested mount point under
// one read-only bind cannot be created when the checkout lacks it), and nothing in SUT_MOUNT, the
// entries or the output (in a step) can be written: such a write fails with EROFS.
import { readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { UsageError, messageOf } from '../errors.js';
import { SUT_MOUNT } from './labels.js';

export const DEFAULT_INSTALL_OUTPUT = 'node_modules';

export interface CheckoutBind {
  /** The top-level entry's name in the checkout. */
  entry: string;
  /** Host path bound (a symlinked entry: its real target, inside the checkout). */
  source: string;
  /** SUT_MOUNT/<entry>. */
  target: string;
}

export interface CheckoutPlan {
  /** Real path of the checkout on the host. */
  root: string;
  /** The install's output folder, a top-level name (`node_modules`): the install volume is mounted there. */
  output: string;
  binds: CheckoutBind[];
  /** Top-level entries not mounted, and why (a symlink leading out of the checkout, a socket). */
  leftOut: { entry: string; reason: string }[];
  /** The checkout itself has an entry named like the output (an ignored node_modules): the install's output hides it. */
  shadowed: boolean;
}

// One top-level name (`node_modules`, `.venv`, `vendor`): not `.`, `..` or `.git`, no slash.
const OUTPUT_NAME = /^(?!\.{1,2}$)(?!\.git$)[A-Za-z0-9._-]{1,255}$/;

const isInside = (base: string, path: string) => {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** What of the checkout each runner container sees: every top-level entry, read-only, under SUT_MOUNT. */
export async function planCheckoutMounts(
  checkout: string,
  output: string = DEFAULT_INSTALL_OUTPUT,
): Promise<CheckoutPlan> {
  if (!OUTPUT_NAME.test(output)) {
    throw new UsageError(
      `Expected the install output to be a top-level folder name such as \`node_modules\`, got \`${output}\``,
    );
  }
  let root: string;
  try {
    root = await realpath(checkout);
  } catch (err) {
    throw new UsageError(`the system under test's checkout \`${checkout}\` cannot be read: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const plan: CheckoutPlan = { root, output, binds: [], leftOut: [], shadowed: false };
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    if (e.name === output) {
      plan.shadowed = true;
      continue;
    }
    const path = join(root, e.name);
    const target = `${SUT_MOUNT}/${e.name}`;
    if (e.isSymbolicLink()) {
      // The engine would follow a bound symlink on the host: bind its target only when it stays inside.
      let real: string;
      try {
        real = await realpath(path);
      } catch {
        plan.leftOut.push({ entry: e.name, reason: 'a dangling symlink' });
        continue;
      }
      if (!isInside(root, real)) {
        plan.leftOut.push({ entry: e.name, reason: `a symlink leading out of the checkout (to ${real})` });
        continue;
      }
      plan.binds.push({ entry: e.name, source: real, target });
    } else if (e.isDirectory() || e.isFile()) {
      plan.binds.push({ entry: e.name, source: path, target });
    } else {
      plan.leftOut.push({ entry: e.name, reason: 'neither a file nor a folder' });
    }
  }
  return plan;
}
