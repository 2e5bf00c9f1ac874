import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { connect, textOf } from '../support/council.mjs';

const fast = 'sim/fast?ttft=20&tps=300&tokens=20';
const slow = 'sim/slow?ttft=20&tps=20&tokens=400';

for (const signal of ['SIGKILL', 'SIGTERM']) {
  test(`a server stopped mid-run (${signal}) keeps every completed output and marks the run interrupted`, async () => {
    let server = await startServer();
    const dbPath = server.dbPath;
    const client = await connect(server.hubUrl);
    const { runId } = await client.invoke('start_run', { prompt: `Restart ${signal}`, models: [fast, slow], chairman: fast });
    await client.waitFor((e) => e.runId === runId && e.type === 'model_complete' && e.model === fast);
    await client.waitFor((e) => e.runId === runId && e.type === 'token' && e.model === slow && textOf(client.events(runId), 0, slow).length > 40);
    await new Promise((r) => setTimeout(r, 150)); // past the store's flush interval
    const seenBefore = [...client.events(runId)];
    await client.stop().catch(() => {});
    await server.stop(signal);

    server = await startServer({ dbPath });
    try {
      const res = await fetch(`${server.url}/api/runs/${runId}`);
      assert.equal(res.status, 200);
      const run = await res.json();
      assert.equal(run.status, 'interrupted');
      assert.match(run.error, /Interrupted/);
      const fastOutput = run.outputs.find((o) => o.model === fast && o.stage === 0);
      assert.equal(fastOutput.status, 'ok');
      assert.equal(fastOutput.text, seenBefore.find((e) => e.type === 'model_complete' && e.model === fast).text);
      const slowOutput = run.outputs.find((o) => o.model === slow && o.stage === 0);
      assert.equal(slowOutput.status, 'cancelled');
      const seenSlow = textOf(seenBefore, 0, slow);
      assert.ok(slowOutput.text.length > 0 && (slowOutput.text.startsWith(seenSlow) || seenSlow.startsWith(slowOutput.text)),
        'the partial text is what was streamed, up to the last flush');

      const viewer = await connect(server.hubUrl);
      try {
        const resumed = await viewer.invoke('resume_run', { runId, afterSeq: 0 });
        assert.equal(resumed.status, 'interrupted');
        const end = await viewer.waitFor((e) => e.runId === runId && e.type === 'run_complete');
        assert.equal(end.status, 'failed');
        const replay = viewer.events(runId);
        assert.deepEqual(replay.map((e) => e.seq), replay.map((_, k) => k + 1));
        assert.equal(textOf(replay, 0, slow), slowOutput.text);
      } finally {
        await viewer.stop();
      }
    } finally {
      await server.stop();
    }
  });
}
