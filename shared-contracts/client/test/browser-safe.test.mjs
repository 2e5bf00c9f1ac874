// The library (not the CLI) must run in a browser: nothing it loads may come from Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';

test('@council/client imports no Node built-in module', () => {
  const seen = new Set();
  const external = new Set();
  const visit = (url) => {
    if (seen.has(url.href)) return;
    seen.add(url.href);
    const source = readFileSync(url, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
      if (specifier.startsWith('.')) visit(new URL(specifier, url));
      else external.add(specifier);
    }
  };
  visit(new URL('../dist/index.js', import.meta.url));
  assert.ok(seen.size > 3, 'followed the relative imports');
  assert.deepEqual([...external].filter((s) => isBuiltin(s)), []);
  assert.deepEqual([...external].sort(), ['@council/contracts', '@microsoft/signalr', '@microsoft/signalr-protocol-msgpack']);
});
