// The live terminal renderer and the plain renderer, fed a scripted run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunView } from '../dist/cli/run-view.js';
import { PlainRenderer, TtyRenderer } from '../dist/cli/renderers.js';
import { noColors, colors } from '../dist/cli/ansi.js';
import { Screen } from './support/screen.mjs';

const started = {
  runId: 'r1', conversationId: 'c1', workflow: 'council',
  stages: [
    { index: 0, name: 'answers', kind: 'answers', models: ['sim/a', 'sim/b'] },
    { index: 1, name: 'reviews', kind: 'review', models: ['sim/a', 'sim/b'] },
    { index: 2, name: 'synthesis', kind: 'synthesis', models: ['sim/c'] },
  ],
};

function script() {
  let seq = 0;
  const e = (type, fields) => ({ type, runId: 'r1', seq: ++seq, ...fields });
  const progress = (stage, name, status, extra = {}) => e('stage_progress', { stage, name, status, completed: 0, total: 2, elapsedMs: 5, completedModels: [], pendingModels: [], ...extra });
  return [
    progress(0, 'answers', 'started'),
    e('model_start', { stage: 0, model: 'sim/a' }),
    e('model_start', { stage: 0, model: 'sim/b' }),
    e('token', { stage: 0, model: 'sim/a', delta: 'Rayleigh ' }),
    e('token', { stage: 0, model: 'sim/b', delta: 'Because ' }),
    e('token', { stage: 0, model: 'sim/a', delta: 'scattering.' }),
    e('model_complete', { stage: 0, model: 'sim/a', status: 'ok', text: 'Rayleigh scattering.', ttftMs: 50, durationMs: 400, usage: { promptTokens: 5, completionTokens: 4, cost: 0.0001 } }),
    e('model_complete', { stage: 0, model: 'sim/b', status: 'cancelled', text: 'Because ', error: 'Skipped by the user.', ttftMs: 80, durationMs: 300, usage: { promptTokens: 5, completionTokens: 1, partial: true } }),
    progress(0, 'answers', 'completed'),
    progress(1, 'reviews', 'skipped'),
    progress(2, 'synthesis', 'started'),
    e('model_start', { stage: 2, model: 'sim/c' }),
    e('token', { stage: 2, model: 'sim/c', delta: 'The sky is blue.' }),
    e('model_complete', { stage: 2, model: 'sim/c', status: 'ok', text: 'The sky is blue.', ttftMs: 30, durationMs: 90, usage: { promptTokens: 50, completionTokens: 5 } }),
    progress(2, 'synthesis', 'completed'),
    e('run_complete', {
      status: 'ok', final: 'The sky is blue.', aggregateRankings: [{ model: 'sim/a', averageRank: 1, votes: 1 }],
      metrics: { durationMs: 800, promptTokens: 60, completionTokens: 10, cost: 0.0001, calls: [
        { stage: 0, model: 'sim/a', status: 'ok', ttftMs: 50, durationMs: 400, promptTokens: 5, completionTokens: 4, cost: 0.0001 },
        { stage: 0, model: 'sim/b', status: 'cancelled', ttftMs: 80, durationMs: 300, promptTokens: 5, completionTokens: 1 },
        { stage: 2, model: 'sim/c', status: 'ok', ttftMs: 30, durationMs: 90, promptTokens: 50, completionTokens: 5 },
      ] },
    }),
  ];
}

function play(renderer, { onEvent } = {}) {
  let now = 0;
  const view = new RunView(started, () => now);
  renderer.started(view);
  for (const event of script()) {
    now += 100;
    view.apply(event);
    renderer.event(event, view);
    onEvent?.(event);
  }
  renderer.finished(view);
  return view;
}

test('the live renderer redraws lanes in place and leaves only the finished report on screen', () => {
  const screen = new Screen(100, 30);
  const frames = [];
  play(new TtyRenderer(screen, colors, true, 60_000), { onEvent: () => frames.push(screen.text()) });

  const streaming = frames[6]; // redrawn at once when sim/a completed; tokens wait for the next frame
  assert.match(streaming, /stage 1\/3: answers · 1\/2 finished/);
  assert.match(streaming, /\[1\] sim\/a  ✓ done · 4 tok/);
  assert.match(streaming, /│ Rayleigh scattering\./);
  assert.match(streaming, /\[2\] sim\/b  ▸ streaming · ~2 tok\n *│ Because/);
  assert.match(streaming, /1-2: skip a model · Ctrl-C: cancel the run/);

  const final = screen.text();
  assert.equal(screen.written.startsWith('\u001b[?25l'), true, 'cursor hidden while live');
  assert.equal(screen.written.endsWith('\u001b[?25h'), true, 'cursor shown again');
  assert.doesNotMatch(final, /skip a model|waiting for the next stage|finished ·/, 'no live region left behind');
  assert.equal(final, [
    'council · run r1 · workflow council · answers (2) → reviews (2) → synthesis (1)',
    '',
    '── stage 1/3: answers ──',
    '[1] sim/a  ✓ done · 4 tok · 11.4 tok/s · ttft 50ms · 400ms · $0.00010',
    '  Rayleigh scattering.',
    '[2] sim/b  ⊘ cancelled · 1 tok · 4.5 tok/s · ttft 80ms · 300ms · Skipped by the user.',
    '  Because',
    'stage answers completed in 5ms',
    '',
    '── stage 2/3: reviews (skipped) ──',
    '',
    '── stage 3/3: synthesis ──',
    '[1] sim/c  ✓ done · 5 tok · 83.3 tok/s · ttft 30ms · 90ms',
    'stage synthesis completed in 5ms',
    '',
    '── rankings ──',
    '  1.  sim/a  avg 1.00  1 vote',
    '',
    '── final answer · sim/c ──',
    'The sky is blue.',
    '',
    '── usage ──',
    '  stage      model  status     ttft  time   in  out  cost',
    '  answers    sim/a  ok         50ms  400ms   5    4  $0.00010',
    '  answers    sim/b  cancelled  80ms  300ms   5    1         -',
    '  synthesis  sim/c  ok         30ms   90ms  50    5         -',
    '  total                              800ms  60   10  $0.00010',
    '',
    'run ok in 800ms',
  ].join('\n'));
});

test('the plain renderer writes readable lines without escapes', () => {
  const out = new Screen();
  const err = new Screen();
  play(new PlainRenderer(out, err, noColors));
  assert.doesNotMatch(out.written, /\u001b/);
  assert.match(out.written, /^\[1\] sim\/a started\n\[2\] sim\/b started\n\[1\] sim\/a streaming\n\[2\] sim\/b streaming\n\[1\] sim\/a {2}✓ done/m);
  assert.match(out.written, /\[2\] sim\/b {2}⊘ cancelled .*Skipped by the user\.\n {2}Because\n/);
  assert.match(out.written, /── final answer · sim\/c ──\nThe sky is blue\.\n/);
});

test('model output cannot move the cursor', () => {
  const screen = new Screen();
  const renderer = new TtyRenderer(screen, noColors, false, 60_000);
  const view = new RunView(started, () => 0);
  renderer.started(view);
  view.apply({ type: 'stage_progress', runId: 'r1', seq: 0, stage: 0, name: 'answers', status: 'started', completed: 0, total: 2, elapsedMs: 0, completedModels: [], pendingModels: [] });
  // C0 escapes, and C1 ones: U+009B is a CSI of its own to terminals that read 8-bit controls.
  const evil = { type: 'token', runId: 'r1', seq: 1, stage: 0, model: 'sim/a', delta: 'ok\u001b[2J\u001b[10A\u009b2J\u0085\u009dboom' };
  view.apply(evil);
  renderer.event({ type: 'model_start', runId: 'r1', seq: 2, stage: 0, model: 'sim/a' }, view);
  renderer.dispose();
  assert.doesNotMatch(screen.written, /\u001b\[2J|\u001b\[10A|[\u0080-\u009f]/);
  assert.match(screen.text(), /│ okboom/);
});

test('with a quorum, a late answer streams on in the live region beside the next stage, numbered for its key', () => {
  const screen = new Screen(100, 30);
  const renderer = new TtyRenderer(screen, noColors, true, 60_000);
  const view = new RunView(started, () => 0);
  renderer.started(view);
  const progress = (stage, name, status) => ({ type: 'stage_progress', runId: 'r1', seq: 0, stage, name, status, completed: 0, total: 2, elapsedMs: 0, completedModels: [], pendingModels: [] });
  for (const event of [
    progress(0, 'answers', 'started'),
    { type: 'token', runId: 'r1', seq: 0, stage: 0, model: 'sim/b', delta: 'still going' },
    progress(1, 'reviews', 'started'),
    { type: 'model_start', runId: 'r1', seq: 0, stage: 1, model: 'sim/a' },
  ]) {
    view.apply(event);
    renderer.event(event, view);
  }
  assert.deepEqual(view.activeLanes().map((l) => `${l.stage}:${l.model}`), ['0:sim/a', '0:sim/b', '1:sim/a', '1:sim/b']);
  const text = screen.text();
  assert.match(text, /stage 1\/3: answers[\s\S]*\[2\] sim\/b  ▸ streaming[\s\S]*stage 2\/3: reviews[\s\S]*\[3\] sim\/a[\s\S]*\[4\] sim\/b/);
  assert.match(text, /1-4: skip a model/);
  renderer.dispose();
});
