// Prints how fast a council streamed over /v1/chat/completions shows something: time from the request to the first
// reasoning delta, to the first member text in the reasoning and to the first content delta, against the same run
// watched over the hub (its first member token, the chairman's first token) and the server's own TTFTs
// (run_complete metrics). A council of 4 simulated models and a chairman; the official openai client; 127.0.0.1.
// Usage: node build/bench/v1-figures.mjs [runs=10]   (after: dotnet build Council.sln -c Release)
import { createRequire } from 'node:module';
import { startServer } from '../../tests/node/support/server.mjs';
import { connect } from '../../tests/node/support/council.mjs';

const require = createRequire(new URL('../../tests/openai/package.json', import.meta.url));
const { default: OpenAI } = await import(require.resolve('openai'));

const runs = Number(process.argv[2] ?? 10);
const members = [
  'sim/swift?ttft=120&tps=60&tokens=60',
  'sim/steady?ttft=250&tps=45&tokens=60',
  'sim/thorough?ttft=400&tps=35&tokens=60',
  'sim/laggard?ttft=600&tps=30&tokens=60',
];
const chairman = 'sim/chair?ttft=150&tps=60&tokens=60';
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const max = (xs) => Math.max(...xs);

const server = await startServer();
const hub = await connect(server.hubUrl);
const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'none', maxRetries: 0 });
const rows = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const sentAt = performance.now();
    const stream = await client.chat.completions.create({
      model: 'council', stream: true, messages: [{ role: 'user', content: `Why is the sky blue? (${i})` }], council: { models: members, chairman },
    });
    let runId;
    let resumed;
    let reasoning = '';
    const at = {};
    for await (const chunk of stream) {
      const now = performance.now() - sentAt;
      if (!runId) {
        runId = chunk.id.replace(/^chatcmpl-/, '');
        resumed = hub.invoke('resume_run', { runId, afterSeq: 0 });
      }
      const delta = chunk.choices[0]?.delta ?? {};
      if (delta.reasoning) {
        at.reasoning ??= now;
        reasoning += delta.reasoning;
        // Member text: a model's heading followed by some of its answer.
        if (at.memberText === undefined && /\*\*sim\/[^*]+\*\*\n\n\S/.test(reasoning)) at.memberText = now;
      }
      if (delta.content) at.content ??= now;
    }
    const { lastSeq } = await resumed;
    const end = await hub.waitFor((e) => e.runId === runId && e.type === 'run_complete');
    const events = hub.events(runId);
    const firstMember = events.find((e) => e.type === 'token' && e.stage === 0);
    const firstChair = events.find((e) => e.type === 'token' && e.stage === 2);
    if (firstMember.seq <= lastSeq) console.warn(`run ${i}: the hub viewer joined after the first token; its times are late`);
    const calls = end.metrics.calls;
    const row = {
      reasoning: at.reasoning, memberText: at.memberText, hubMember: firstMember.receivedAt - sentAt,
      fastestTtft: Math.min(...calls.filter((c) => c.stage === 0).map((c) => c.ttftMs)),
      content: at.content, hubChair: firstChair.receivedAt - sentAt, chairTtft: calls.find((c) => c.stage === 2).ttftMs,
    };
    if (i > 0) rows.push(row); // the first run warms up the JIT
  }
} finally {
  await hub.stop();
  await server.stop();
}

console.log(`Council over /v1/chat/completions (stream), ${runs} runs one after another; 4 members (TTFT 120/250/400/600 ms), chairman TTFT 150 ms`);
console.log('ms since the request was sent                         median      max');
const line = (label, key) => console.log(`  ${label.padEnd(50)}${median(rows.map((r) => r[key])).toFixed(1).padStart(8)} ${max(rows.map((r) => r[key])).toFixed(1).padStart(8)}`);
line('/v1 first reasoning delta (run heading)', 'reasoning');
line('/v1 first member text in the reasoning', 'memberText');
line('hub: first member token of the same run', 'hubMember');
line('server: fastest member TTFT (from its call start)', 'fastestTtft');
line('/v1 first content delta', 'content');
line('hub: first chairman token of the same run', 'hubChair');
line('server: chairman TTFT (from its call start)', 'chairTtft');
console.log(`  first reasoning delta on /v1 minus first member token on the hub: median ${median(rows.map((r) => r.reasoning - r.hubMember)).toFixed(1)} ms (negative: /v1 first)`);
console.log(`  first member text on /v1 minus on the hub: median ${median(rows.map((r) => r.memberText - r.hubMember)).toFixed(2)} ms`);
console.log(`  content on /v1 minus chairman token on the hub: median ${median(rows.map((r) => r.content - r.hubChair)).toFixed(2)} ms`);
