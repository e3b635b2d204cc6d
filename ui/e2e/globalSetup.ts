import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The tests drive the built UI inside the real service: build it first when missing or stale, as `npm start` does. */
export default function setup() {
  const script = fileURLToPath(new URL('../scripts/ensureBuild.js', import.meta.url));
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building the UI failed; see the output above');
}
