// The CLI in a real pseudo-terminal (util-linux `script`): live lanes, number keys skip a model, Ctrl-C cancels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cliPath, sim, startServer } from './support/helpers.mjs';
import { Screen } from './support/screen.mjs';

const hasScript = spawnSync('script', ['--version']).status === 0;
let server;
before(async () => { if (hasScript) server = await startServer(); });
after(async () => { await server?.stop(); });

/** Runs `council ask` on a 120x40 pseudo-terminal; `keys(text)` types into it. */
function inTerminal(args) {
  const quoted = [process.execPath, cliPath, 'ask', '--url', server.url, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${quoted}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '' } });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  return {
    exited: new Promise((resolve) => child.on('close', resolve)),
    keys: (text) => child.stdin.write(text),
    output: () => output,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

const screenOf = (output) => { const s = new Screen(120, 40); s.write(output.replace(/\r\n/g, '\n')); return s.text(); };

test('pressing 2 skips the second model; the council finishes and the live region is gone', { skip: !hasScript && 'util-linux script is not installed' }, async () => {
  const term = inTerminal(['--models', `${sim.a},${sim.slow}`, '--chairman', sim.chair, 'Skip by key']);
  await term.waitFor(/\[2\] sim\/slow\S*\s+(\u001b\[\d+m)*▸ streaming/);
  term.keys('2');
  assert.equal(await term.exited, 0, term.output());

  assert.match(term.output(), /\u001b\[\d+A/, 'lanes were redrawn in place');
  const screen = screenOf(term.output());
  assert.match(screen, /council: skipping sim\/slow/);
  assert.match(screen, /\[2\] sim\/slow\S* {2}⊘ cancelled/);
  assert.match(screen, /── final answer · sim\/c\S* ──\n\S/);
  assert.match(screen, /\nrun ok in /);
  assert.doesNotMatch(screen, /skip a model · Ctrl-C/, 'no live region left behind');
});

test('Ctrl-C typed in the terminal cancels the run on the server and exits 130', { skip: !hasScript && 'util-linux script is not installed' }, async () => {
  const term = inTerminal(['--models', `${sim.slow},${sim.slower}`, '--chairman', sim.chair, 'Stop by key']);
  await term.waitFor(/▸ streaming/);
  term.keys('\u0003');
  assert.equal(await term.exited, 130, term.output());
  const screen = screenOf(term.output());
  assert.match(screen, /cancelling the run/);
  assert.doesNotMatch(screen, /cancel_run failed/, 'the cancel worked');
  assert.match(screen, /\nrun cancelled in /);
});
