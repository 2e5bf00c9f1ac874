import { describe, expect, it } from 'vitest';
import type { CouncilEvent } from '@council/contracts';
import { applyStart, countTokens, createRun, currentStage, receive, replayUntil, requestCancelModel, revertCancelModel, type Run } from './run-state';
import { councilPlan, EventScript } from './test-events';

const reduce = (run: Run, events: CouncilEvent[], now = 1000): Run => events.reduce((r, e) => receive(r, e, now), run);
const planned = () => applyStart(createRun('r1', 0), councilPlan(), 'Why?', 0);

describe('run reduction', () => {
  it('shows every planned lane as waiting as soon as the run is accepted', () => {
    const run = planned();
    expect(run.status).toBe('running');
    expect(run.stages.map((s) => s.kind)).toEqual(['answers', 'review', 'synthesis']);
    expect(run.stages[0].models).toEqual(['sim/a', 'sim/b', 'sim/c']);
    expect(run.stages[0].lanes['sim/b']).toMatchObject({ status: 'waiting', started: false, text: '' });
    expect(run.stages[2].models).toEqual(['sim/chair']);
  });

  it('concatenates deltas in seq order into the lane text and tracks first token', () => {
    const s = new EventScript();
    const run = reduce(planned(), [s.progress(0, 'answers', 'started', ['sim/a']), s.start(0, 'sim/a')], 100);
    const streaming = receive(receive(run, s.token(0, 'sim/a', 'Hello'), 250), s.token(0, 'sim/a', ', world'), 300);
    const lane = streaming.stages[0].lanes['sim/a'];
    expect(lane).toMatchObject({ status: 'streaming', text: 'Hello, world', startedAt: 100, firstTokenAt: 250 });
    expect(currentStage(streaming)?.index).toBe(0);
  });

  it('keeps reasoning apart from the answer text, concatenated in seq order', () => {
    const s = new EventScript();
    let run = reduce(planned(), [s.start(0, 'sim/a'), s.token(0, 'sim/a', '', 'Let me'), s.token(0, 'sim/a', '', ' think.')], 200);
    expect(run.stages[0].lanes['sim/a']).toMatchObject({ status: 'streaming', text: '', reasoning: 'Let me think.', firstTokenAt: 200 });
    run = reduce(run, [s.token(0, 'sim/a', 'Blue', ' Done.'), s.token(0, 'sim/a', ' sky')]);
    expect(run.stages[0].lanes['sim/a']).toMatchObject({ text: 'Blue sky', reasoning: 'Let me think. Done.' });
    expect(run.stages[0].lanes['sim/b'].reasoning).toBeUndefined();
  });

  it('holds events that arrive after a gap until the missing one comes, and drops duplicates', () => {
    const s = new EventScript();
    const [start, t1, t2, t3] = [s.start(0, 'sim/a'), s.token(0, 'sim/a', 'a'), s.token(0, 'sim/a', 'b'), s.token(0, 'sim/a', 'c')];
    let run = reduce(planned(), [start, t3, t2]);
    expect(run.stages[0].lanes['sim/a'].text).toBe('');
    expect(run.buffered.map((e) => e.seq)).toEqual([3, 4]);
    run = reduce(run, [t1, t2, t1]);
    expect(run.stages[0].lanes['sim/a'].text).toBe('abc');
    expect(run.lastSeq).toBe(4);
    expect(run.buffered).toEqual([]);
  });

  it('keeps events that arrive before the start result and merges the plan into them', () => {
    const s = new EventScript();
    let run = reduce(createRun('r1', 50), [s.progress(0, 'answers', 'started', ['sim/a', 'sim/b', 'sim/c']), s.start(0, 'sim/b'), s.token(0, 'sim/b', 'Early')]);
    expect(run.stages[0].lanes['sim/b'].text).toBe('Early');
    run = applyStart(run, councilPlan(), 'Why?', 0);
    expect(run.stages[0].models).toEqual(['sim/a', 'sim/b', 'sim/c']);
    expect(run.stages[0].lanes['sim/b']).toMatchObject({ status: 'streaming', text: 'Early' });
    expect(run.stages[1].kind).toBe('review');
    expect(run.createdAt).toBe(0);
  });

  it('shows a skipped model as cancelled at once, keeps its partial text, and lets model_complete confirm', () => {
    const s = new EventScript();
    let run = reduce(planned(), [s.start(0, 'sim/a'), s.token(0, 'sim/a', 'Partial ')]);
    run = requestCancelModel(run, 0, 'sim/a');
    expect(run.stages[0].lanes['sim/a']).toMatchObject({ status: 'cancelled', cancelRequested: true, text: 'Partial ' });
    run = reduce(run, [s.token(0, 'sim/a', 'answer')]);
    expect(run.stages[0].lanes['sim/a']).toMatchObject({ status: 'cancelled', text: 'Partial answer' });
    run = reduce(run, [s.complete(0, 'sim/a', 'cancelled', 'Partial answer', { usage: { promptTokens: 5, completionTokens: 2, partial: true } })]);
    expect(run.stages[0].lanes['sim/a']).toMatchObject({ status: 'cancelled', text: 'Partial answer', usage: { partial: true } });
  });

  it('lets model_complete win when the skip lost the race, and reverts a skip that never reached the server', () => {
    const s = new EventScript();
    let run = reduce(planned(), [s.start(0, 'sim/a'), s.token(0, 'sim/a', 'x')]);
    const raced = reduce(requestCancelModel(run, 0, 'sim/a'), [s.complete(0, 'sim/a', 'ok', 'x')]);
    expect(raced.stages[0].lanes['sim/a'].status).toBe('done');
    run = revertCancelModel(requestCancelModel(run, 0, 'sim/a'), 0, 'sim/a');
    expect(run.stages[0].lanes['sim/a']).toMatchObject({ status: 'streaming', cancelRequested: false });
  });

  it('shows a failed model with its error', () => {
    const s = new EventScript();
    const run = reduce(planned(), [s.start(0, 'sim/c'), s.complete(0, 'sim/c', 'failed', '', { error: 'simulated failure before the first token', ttftMs: undefined, usage: undefined })]);
    expect(run.stages[0].lanes['sim/c']).toMatchObject({ status: 'failed', error: 'simulated failure before the first token' });
  });

  it('leaves models dropped in an earlier stage out of the next one', () => {
    const s = new EventScript();
    const run = reduce(planned(), [s.progress(1, 'reviews', 'started', ['sim/a', 'sim/b'])]);
    expect(run.stages[1].lanes['sim/c'].leftOut).toBe(true);
    expect(run.stages[1].lanes['sim/a'].leftOut).toBe(false);
    expect(run.stages[1].phase).toBe('started');
  });

  it('keeps each reviewer ranking and the aggregate ranking', () => {
    const s = new EventScript();
    const ranking = ['sim/b', 'sim/a', 'sim/c'];
    const aggregate = [{ model: 'sim/b', averageRank: 1.3, votes: 3 }, { model: 'sim/a', averageRank: 2, votes: 3 }];
    const run = reduce(planned(), [
      s.start(1, 'sim/a'),
      s.token(1, 'sim/a', 'FINAL RANKING:'),
      s.complete(1, 'sim/a', 'ok', 'FINAL RANKING:\n1. Response B', { ranking }),
      s.runComplete('ok', { final: 'The answer', aggregateRankings: aggregate }),
    ]);
    expect(run.stages[1].lanes['sim/a'].ranking).toEqual(ranking);
    expect(run.aggregateRankings).toEqual(aggregate);
    expect(run.final).toBe('The answer');
    expect(run.status).toBe('ok');
  });

  it('notes a fallback chairman taking over after the first one failed', () => {
    const s = new EventScript();
    const run = reduce(planned(), [
      s.progress(2, 'synthesis', 'started', ['sim/chair']),
      s.start(2, 'sim/chair'),
      s.complete(2, 'sim/chair', 'failed', '', { error: 'provider returned 503' }),
      s.start(2, 'sim/backup'),
      s.token(2, 'sim/backup', 'Final'),
    ]);
    expect(run.fallbacks).toEqual([{ stage: 2, failedModel: 'sim/chair', error: 'provider returned 503', model: 'sim/backup' }]);
    expect(run.stages[2].models).toEqual(['sim/chair', 'sim/backup']);
    expect(run.stages[2].lanes['sim/backup']).toMatchObject({ status: 'streaming', text: 'Final' });
  });

  it('closes whatever is still open when the run is cancelled', () => {
    const s = new EventScript();
    const run = reduce(planned(), [s.start(0, 'sim/a'), s.token(0, 'sim/a', 'half'), s.runComplete('cancelled')]);
    expect(run.status).toBe('cancelled');
    expect(run.stages[0].lanes['sim/a']).toMatchObject({ status: 'cancelled', text: 'half' });
    expect(run.stages[0].lanes['sim/b'].leftOut).toBe(true);
    // The stage that was going stopped; the ones the run never reached did not run (they were not "skipped").
    expect(run.stages[0].phase).toBe('stopped');
    expect(run.stages[2].phase).toBe('not-run');
  });

  it('a replayed run takes its times from the events: stage figures and call durations, not arrival', () => {
    const s = new EventScript();
    // Adopted 10 s after it started; everything below arrives at once, at 20_000.
    let run: Run = { ...createRun('r1', 10_000), replayed: true, replay: { base: 10_000, at: 0, stageStarts: {} } };
    run = reduce(run, [
      s.progress(0, 'answers', 'started', ['sim/a', 'sim/b']),
      s.start(0, 'sim/a'),
      s.start(0, 'sim/b'),
      s.token(0, 'sim/a', 'Hello there'),
      s.complete(0, 'sim/a', 'ok', 'Hello there', { ttftMs: 300, durationMs: 1200 }),
      s.progress(0, 'answers', 'running', ['sim/b'], ['sim/a'], 1200),
      s.token(0, 'sim/b', 'Slow and steady'),
    ], 20_000);
    const [a, b] = [run.stages[0].lanes['sim/a'], run.stages[0].lanes['sim/b']];
    expect(a).toMatchObject({ startedAt: 10_000, ttftMs: 300, completedAt: 11_200 });
    expect(b.startedAt).toBe(10_000);
    // When b's first token came is not in the events: no TTFT made of arrival times.
    expect(b.firstTokenAt).toBeUndefined();
    expect(b.tokens).toBe(3);
    expect(run.stages[0]).toMatchObject({ elapsedMs: 1200, progressAt: 11_200 });
    // After the resume's answer, events past its lastSeq are live again.
    run = replayUntil(run, run.lastSeq, false);
    run = receive(run, s.complete(0, 'sim/b', 'ok', 'Slow and steady', { ttftMs: 500, durationMs: 9000 }), 20_500);
    expect(run.stages[0].lanes['sim/b'].completedAt).toBe(20_500);
  });

  it('an interrupted run keeps its stages as they ended and says why once, on the run', () => {
    const s = new EventScript();
    const why = 'Interrupted: the server stopped during this run.';
    const run = reduce(planned(), [
      s.progress(0, 'answers', 'started', ['sim/a', 'sim/b', 'sim/c']),
      s.start(0, 'sim/a'),
      s.complete(0, 'sim/a', 'ok', 'done'),
      s.start(0, 'sim/b'),
      s.token(0, 'sim/b', 'partial text'),
      s.complete(0, 'sim/b', 'cancelled', 'partial text', { error: why, usage: undefined, durationMs: 0, ttftMs: undefined }),
      s.runComplete('failed', { error: why }),
    ]);
    expect(run.error).toBe(why);
    expect(run.stages[0].phase).toBe('stopped');
    expect(run.stages[1].phase).toBe('not-run');
    expect(run.stages[0].lanes['sim/b']).toMatchObject({ status: 'interrupted', error: undefined, text: 'partial text', tokens: 3 });
    expect(run.stages[0].lanes['sim/a'].status).toBe('done');
  });

  it('counts tokens as word pieces from the deltas', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('Hello')).toBe(1);
    expect(countTokens(' Hello, world')).toBe(2);
    expect(countTokens(' internationalization')).toBe(4);
  });

  it('changes only the objects an event touches', () => {
    const s = new EventScript();
    const before = reduce(planned(), [s.start(0, 'sim/a'), s.start(0, 'sim/b')]);
    const after = receive(before, s.token(0, 'sim/a', 'x'), 1);
    expect(after.stages[0].lanes['sim/b']).toBe(before.stages[0].lanes['sim/b']);
    expect(after.stages[1]).toBe(before.stages[1]);
    expect(after.stages[0].lanes['sim/a']).not.toBe(before.stages[0].lanes['sim/a']);
  });

  it('inserts a loop stage (refiner, reviewer again) where it runs and moves the planned stages after it', () => {
    const plan = {
      runId: 'r1', conversationId: 'c1', workflow: 'pipeline',
      stages: [
        { index: 0, name: 'architect', kind: 'role', models: ['sim/a'] },
        { index: 1, name: 'coder', kind: 'role', models: ['sim/b'] },
        { index: 2, name: 'reviewer', kind: 'role', models: ['sim/c'] },
        { index: 3, name: 'documenter', kind: 'role', models: ['sim/a'] },
      ],
    };
    const s = new EventScript();
    const run = reduce(applyStart(createRun('r1', 0), plan, 'Build it', 0), [
      s.progress(2, 'reviewer', 'started', ['sim/c']),
      s.start(2, 'sim/c'),
      s.complete(2, 'sim/c', 'ok', 'VERDICT: changes needed'),
      s.progress(2, 'reviewer', 'completed', [], ['sim/c']),
      s.progress(3, 'refiner', 'started', ['sim/b']),
      s.start(3, 'sim/b'),
      s.token(3, 'sim/b', 'fixed'),
      s.complete(3, 'sim/b', 'ok', 'fixed'),
      s.progress(4, 'reviewer', 'started', ['sim/c']),
      s.start(4, 'sim/c'),
    ]);
    expect(run.stages.map((st) => `${st.index}:${st.name}:${st.kind}`)).toEqual([
      '0:architect:role', '1:coder:role', '2:reviewer:role', '3:refiner:role', '4:reviewer:role', '5:documenter:role',
    ]);
    expect(run.stages[3].lanes['sim/b']).toMatchObject({ stage: 3, status: 'done', text: 'fixed' });
    expect(run.stages[4].lanes['sim/c']).toMatchObject({ stage: 4, started: true });
    expect(run.stages[5]).toMatchObject({ phase: 'pending', models: ['sim/a'] });
    expect(run.stages[5].lanes['sim/a'].stage).toBe(5);
  });

  it('marks an answer that came in after a quorum as not reviewed, and keeps a search error', () => {
    const s = new EventScript();
    const run = reduce(planned(), [
      { type: 'search_results', runId: 'r1', seq: 1, stage: 0, results: [], error: 'search is down' },
      s.start(0, 'sim/c'),
      s.complete(0, 'sim/c', 'ok', 'late', { reviewed: false }),
    ].map((e, i) => ({ ...e, seq: i + 1 })) as CouncilEvent[]);
    expect(run.stages[0].lanes['sim/c'].reviewed).toBe(false);
    expect(run.searchResults).toEqual([{ stage: 0, results: [], error: 'search is down' }]);
  });
});
