// The repository README's Node example, run as written against the real server: its output reads well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot, sim, startServer } from './support/helpers.mjs';

test("README's Node example prints each model's answer whole, then the final answer", async (t) => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it from Node'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)[1];
  // The default council, made fast (appsettings lists four models: all four are replaced).
  const council = [sim.a, sim.b, 'sim/d?ttft=40&tps=200&tokens=30', 'sim/e?ttft=60&tps=200&tokens=30'];
  const env = Object.fromEntries(council.map((m, i) => [`Council__DefaultModels__${i}`, m]));
  const server = await startServer({ env: { ...env, Council__Chairman: sim.chair } });
  t.after(() => server.stop());

  const dir = mkdtempSync(path.join(os.tmpdir(), 'council-readme-'));
  const file = path.join(dir, 'example.mjs');
  const client = pathToFileURL(path.join(repoRoot, 'shared-contracts/client/dist/index.js')).href;
  writeFileSync(file, code.replace("'@council/client'", `'${client}'`).replace('http://127.0.0.1:5000', server.url));
  const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 60_000 });

  const blocks = stdout.split(/^── /m).filter(Boolean);
  const heads = blocks.map((b) => b.split('\n')[0]);
  assert.equal(heads.length, council.length + 1, stdout);
  assert.deepEqual(heads.slice(0, -1).sort(), council.map((m) => `${m} (ok)`).sort());
  assert.equal(heads.at(-1), 'final answer (ok)');
  for (const block of blocks) assert.ok(block.split('\n').slice(1).join('\n').trim().length > 20, `a whole text under ${block.split('\n')[0]}`);
});
