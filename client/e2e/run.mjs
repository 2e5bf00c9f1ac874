// Runs the end-to-end tests: the real server (Release build) serving client/dist, driven in Debian's Chromium.
// Skips, saying so, only when the server build is missing; builds client/dist when it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverDll } from '../../tests/node/support/server.mjs';
import { chromiumPath } from './support/browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const client = path.resolve(here, '..');

if (!existsSync(serverDll)) {
  console.log(`e2e SKIPPED: the server build is missing (${serverDll}). Run 'dotnet build Council.sln -c Release' first.`);
  process.exit(0);
}
if (!existsSync(chromiumPath)) {
  console.error(`e2e FAILED to start: ${chromiumPath} is missing. Install Debian's Chromium: apt-get install -y chromium`);
  process.exit(1);
}
if (!existsSync(path.join(client, 'dist', 'index.html'))) {
  console.log('client/dist is missing: building it first');
  const build = spawnSync('npm', ['run', 'build'], { cwd: client, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const files = readdirSync(here).filter((f) => f.endsWith('.e2e.test.mjs')).map((f) => path.join(here, f));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: client, stdio: 'inherit' });
process.exit(result.status ?? 1);
