// Tests that need the engine fail loudly when it does not answer: nothing is skipped.
import { existsSync } from 'node:fs';
import { checkEngine, defaultImage, dockerClient, inspectImage } from '../engine/index.js';
import { REAPER_SCRIPT } from '../engine/reaper.js';
import { messageOf } from '../errors.js';

export default async function setup(): Promise<void> {
  const docker = dockerClient();
  try {
    await checkEngine(docker);
  } catch (err) {
    throw new Error(
      `These tests drive a real Docker engine and none answers (${messageOf(err)}). Run \`bash scripts/setup\` as root first.`,
    );
  }
  try {
    await inspectImage(docker, defaultImage());
  } catch (err) {
    throw new Error(`${messageOf(err)}: run \`bash scripts/setup\` first.`);
  }
  if (!existsSync(REAPER_SCRIPT))
    throw new Error(`${REAPER_SCRIPT} is missing: run \`npm run build\` first (\`npm test\` does).`);
}
