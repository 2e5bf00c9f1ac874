// The committed schema and TypeScript must be exactly what the generator makes from the C# records now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(packageDir, '../..');

test('committed generated contract files are current (run `npm run contracts` if this fails)', { timeout: 240_000 }, (t) => {
  const out = mkdtempSync(path.join(tmpdir(), 'council-contracts-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [path.join(root, 'build/contracts/generate.mjs'), '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });

  for (const dir of ['schema', 'src/generated']) {
    const fresh = readdirSync(path.join(out, dir)).sort();
    const committed = readdirSync(path.join(packageDir, dir)).sort();
    assert.deepEqual(committed, fresh, `${dir}: the set of generated files differs`);
    for (const file of fresh) {
      assert.equal(
        readFileSync(path.join(packageDir, dir, file), 'utf8'),
        readFileSync(path.join(out, dir, file), 'utf8'),
        `${dir}/${file} is stale: run \`npm run contracts\` and commit the result`,
      );
    }
  }
});
