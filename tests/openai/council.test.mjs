// Councils as a model over /v1, driven by the official openai client against the real server (None mode).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startServer } from '../node/support/server.mjs';
import { connect } from '../node/support/council.mjs';
import { openai, collect, runIdOf, storedRun, endedRun, sim } from './support.mjs';

let server;
let client;
const council = { models: [sim.a, sim.b, sim.c], chairman: sim.chair };

before(async () => {
  server = await startServer();
  client = openai(server);
});
after(async () => { await server?.stop(); });

test('GET /v1/models lists council and council/<workflow> beside the simulated models', async () => {
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.deepEqual(ids.slice(0, 4), ['council', 'council/council', 'council/grid', 'council/pipeline']);
  assert.ok(ids.includes('sim/chair?ttft=300&tps=40&tokens=220'), 'the simulated models follow');
  assert.equal(new Set(ids).size, ids.length);
});

test('a streamed council: reasoning (stages, every member by name), then the synthesis as content, then usage; all as stored', async () => {
  const stream = await client.chat.completions.create({
    model: 'council',
    stream: true,
    messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'Why is the sky blue?' }],
    council,
  });
  const { chunks, order, reasoning, reasoningContent, content } = await collect(stream);

  assert.ok(order.length > 2);
  assert.equal(order[0], 'reasoning', 'the first delta is reasoning');
  const firstContent = order.indexOf('content');
  assert.ok(firstContent > 0, 'content comes');
  assert.ok(order.slice(firstContent).every((kind) => kind === 'content'), 'all reasoning comes before the content');
  assert.equal(reasoningContent, reasoning, 'reasoning_content carries the same text by default');

  const last = chunks.at(-1);
  assert.equal(last.choices[0].finish_reason, 'stop');
  assert.ok(last.usage, 'the last chunk carries the usage');
  assert.ok(chunks.slice(0, -1).every((c) => !c.usage && !c.choices[0]?.finish_reason), 'only the last chunk finishes');
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1);

  const run = await endedRun(server, runIdOf(last.id));
  assert.equal(run.status, 'ok');
  assert.equal(run.prompt, 'Why is the sky blue?', 'the last user message is the stored prompt');
  assert.equal(run.workflow, 'council');
  assert.deepEqual(run.models, council.models);
  assert.equal(content, run.final, 'the content is the stored final answer');
  assert.equal(last.usage.prompt_tokens, run.metrics.promptTokens);
  assert.equal(last.usage.completion_tokens, run.metrics.completionTokens);
  assert.equal(last.usage.total_tokens, run.metrics.promptTokens + run.metrics.completionTokens);
  assert.equal(last.usage.cost, run.metrics.cost);
  assert.equal(run.metrics.calls.length, 3 + 3 + 1, 'usage sums answers, reviews and the synthesis');

  for (const output of run.outputs.filter((o) => o.stage < 2)) {
    assert.ok(reasoning.includes(`**${output.model}**\n\n${output.text}`), `stage ${output.stage} of ${output.model} is in the reasoning, whole and labelled`);
  }
  assert.ok(reasoning.indexOf('## answers') < reasoning.indexOf('## reviews'));
  assert.match(reasoning, /Peer ranking, best first: 1\. /);
  assert.match(reasoning, new RegExp(`## synthesis: ${sim.chair.replace(/[?&]/g, '\\$&')} writes the final answer`));
});

test('a non-streamed council answers one chat.completion: the final answer as content, the rest as reasoning, the usage', async () => {
  const completion = await client.chat.completions.create({
    model: 'council/grid',
    messages: [{ role: 'user', content: 'Name three sorting algorithms.' }],
    council,
  });
  assert.equal(completion.object, 'chat.completion');
  const run = await endedRun(server, runIdOf(completion.id));
  assert.equal(run.workflow, 'grid');
  const { message, finish_reason } = completion.choices[0];
  assert.equal(finish_reason, 'stop');
  assert.equal(message.role, 'assistant');
  assert.equal(message.content, run.final);
  assert.match(message.reasoning, /## answers/);
  assert.equal(message.reasoning_content, message.reasoning);
  assert.ok(!message.reasoning.includes('## reviews'), 'grid has no reviews');
  assert.equal(completion.usage.completion_tokens, run.metrics.completionTokens);
  assert.equal(completion.usage.prompt_tokens, run.metrics.promptTokens);
});

test('council.reasoning_field picks the delta field: reasoning_content only, or none', async () => {
  const only = await collect(await client.chat.completions.create({
    model: 'council', stream: true, messages: [{ role: 'user', content: 'Hello?' }], council: { ...council, reasoning_field: 'reasoning_content' },
  }));
  assert.equal(only.reasoning, '');
  assert.match(only.reasoningContent, /## answers/);
  assert.ok(only.chunks.every((c) => c.choices[0]?.delta?.reasoning === undefined));

  const none = await collect(await client.chat.completions.create({
    model: 'council', stream: true, messages: [{ role: 'user', content: 'Hello?' }], council: { ...council, reasoning_field: 'none' },
  }));
  assert.equal(none.reasoning + none.reasoningContent, '');
  assert.ok(none.content.length > 0);
});

test('the run is visible over the hub while it streams; closing the stream cancels the run', async () => {
  const hub = await connect(server.hubUrl);
  try {
    const controller = new AbortController();
    const stream = await client.chat.completions.create({
      model: 'council', stream: true, messages: [{ role: 'user', content: 'Take your time.' }],
      council: { models: [sim.slow, sim.a], chairman: sim.chair },
    }, { signal: controller.signal });
    let runId;
    let resumed;
    let slowText = '';
    const hubSees = () => hub.events(runId).some((e) => e.type === 'token' && e.model === sim.slow);
    // The client ends its iteration quietly (or raises an abort error, depending on timing): either way, no finish.
    const read = await collect(stream, (chunk) => {
      if (!runId) {
        runId = runIdOf(chunk.id);
        resumed = hub.invoke('resume_run', { runId, afterSeq: 0 }); // a person watching the run another tool started
      }
      slowText += chunk.choices[0]?.delta?.reasoning ?? '';
      if (slowText.includes(`**${sim.slow}**`) && slowText.length > 400 && hubSees()) controller.abort();
    }).catch((error) => {
      assert.ok(error instanceof OpenAI.APIUserAbortError || error.name === 'AbortError', String(error));
      return null;
    });
    assert.ok(!read?.chunks.some((c) => c.choices[0]?.finish_reason), 'the stream was cut before it finished');

    assert.equal((await resumed).runId, runId);
    assert.equal((await resumed).status, 'running', 'the hub viewer joined while the run was going');
    const end = await hub.waitFor((e) => e.runId === runId && e.type === 'run_complete');
    assert.equal(end.status, 'cancelled');
    const run = await endedRun(server, runId);
    assert.equal(run.status, 'cancelled');
    const slow = run.outputs.find((o) => o.model === sim.slow);
    assert.equal(slow.status, 'cancelled');
    assert.ok(slow.text.length > 0);
  } finally {
    await hub.stop();
  }
});

test('a failed council ends the stream with an error the client raises; non-streamed it is a 502', async () => {
  const broken = { models: ['sim/x?fail=before&ttft=5', 'sim/y?fail=before&ttft=5'], chairman: sim.chair };
  const stream = await client.chat.completions.create({ model: 'council', stream: true, messages: [{ role: 'user', content: 'Fail.' }], council: broken });
  await assert.rejects(collect(stream), (error) => error instanceof OpenAI.APIError && /The council failed: No model answered/.test(error.message));

  await assert.rejects(
    client.chat.completions.create({ model: 'council', messages: [{ role: 'user', content: 'Fail.' }], council: broken }),
    (error) => error instanceof OpenAI.APIError && error.status === 502 && error.code === 'run_failed');
});

test('bad requests are refused with OpenAI error bodies and the right status', async () => {
  const ask = (body) => client.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }], council, ...body });
  const refused = async (body, status, code, message) => {
    await assert.rejects(ask(body), (error) => {
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, status);
      assert.equal(error.code, code);
      assert.match(error.message, message);
      return true;
    });
  };
  await refused({ model: 'council/nope' }, 404, 'model_not_found', /no workflow 'nope'.*council\/grid/);
  await refused({ model: 'gpt-4o' }, 404, 'model_not_found', /does not exist here/);
  await refused({ model: 'council', messages: [] }, 400, 'missing_messages', /at least one message/);
  await refused({ model: 'council', messages: [{ role: 'assistant', content: 'Hi' }] }, 400, 'invalid_messages', /last message must be the user's question/);
  await refused({ model: 'council', messages: [{ role: 'tool', content: 'x', tool_call_id: '1' }, { role: 'user', content: 'Hi' }] }, 400, 'invalid_messages', /role 'tool'/);
  await refused({ model: 'council', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] }] }, 400, 'invalid_messages', /text parts only/);
  await refused({ model: 'council', n: 2 }, 400, 'unsupported_parameter', /one choice/);
  await refused({ model: 'council', stream: 'yes' }, 400, 'invalid_body', /wrong type at \$\.stream/);
  await refused({ model: 'council', council: { ...council, quorum: { deadlineMs: 5 } } }, 400, 'invalid_body', /unknown field at \$\.council\.quorum\.deadlineMs/);
  await refused({ model: 'council', council: { ...council, models: ['nope/x'] } }, 400, 'invalid_council', /Unknown model 'nope\/x'/);
  await refused({ model: 'council', council: { ...council, reasoning_field: 'thoughts' } }, 400, 'invalid_council', /reasoning_field/);
  await refused({ model: 'council', council: { ...council, models: [sim.a, sim.a] } }, 400, 'invalid_council', /named twice/);

  const raw = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": "council", ' });
  assert.equal(raw.status, 400);
  assert.equal((await raw.json()).error.code, 'invalid_body');
  const unknown = await fetch(`${server.url}/v1/completions`, { method: 'POST' });
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, 'unknown_url');
});

test('a client that gives up on a non-streamed council cancels the run too', async () => {
  const prompt = `Whole, but I will not wait (${Date.now()})`;
  const controller = new AbortController();
  const asked = client.chat.completions.create({
    model: 'council', messages: [{ role: 'user', content: prompt }], council: { models: [sim.slow, sim.a], chairman: sim.chair },
  }, { signal: controller.signal }).catch((error) => error);

  // The run shows up in the caller's conversations while it goes (no id comes back before the answer).
  let runId;
  for (let i = 0; i < 200 && !runId; i++) {
    const conversations = await (await fetch(`${server.url}/api/conversations`)).json();
    const mine = conversations.find((c) => c.title.startsWith(prompt.slice(0, 20)) && c.runs === 1);
    if (mine) runId = (await (await fetch(`${server.url}/api/conversations/${mine.id}`)).json()).runs.find((r) => r.prompt === prompt)?.runId;
    if (!runId) await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(runId, 'the run is stored while it goes');
  const hub = await connect(server.hubUrl);
  try {
    assert.equal((await hub.invoke('resume_run', { runId, afterSeq: 0 })).status, 'running');
    await hub.waitFor((e) => e.runId === runId && e.type === 'token' && e.model === sim.slow);
    controller.abort();
    assert.ok(await asked instanceof OpenAI.APIUserAbortError);
    const end = await hub.waitFor((e) => e.runId === runId && e.type === 'run_complete');
    assert.equal(end.status, 'cancelled');
  } finally {
    await hub.stop();
  }
});

test('bodies and chunks are UTF-8 JSON without needless escapes (model text, ids with &)', async () => {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'council', stream: true, messages: [{ role: 'user', content: 'Naïve Bayes — pourquoi ?' }], council }),
  });
  const raw = await response.text();
  assert.match(raw, new RegExp(`members: ${sim.a.replace(/[?]/g, '\\?')}`), 'ids keep their & as is');
  assert.ok(raw.includes(' · workflow council'));
  assert.ok(!/\\u00[0-9A-F]{2}/i.test(raw), 'no \\u escapes of non-ASCII text');
  assert.ok(raw.endsWith('data: [DONE]\n\n'));
});
