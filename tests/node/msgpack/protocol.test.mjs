// The MessagePack protocol end to end with the official client: the same names and values as JSON (an optional
// field JSON omits is nil in MessagePack), and what a client sends wrong is refused in words, to it alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { encode } from '@msgpack/msgpack';
import { startServer } from '../support/server.mjs';
import { connect, sim } from '../support/council.mjs';

let server;
before(async () => { server = await startServer({ env: { Council__FinishedRunIdleSeconds: '30', Council__Search__SimulatedDelayMs: '5' } }); });
after(async () => { await server?.stop(); });

/** SignalR's binary framing: a VarInt length prefix. */
function frame(payload) {
  const prefix = [];
  let size = payload.length;
  do {
    let part = size & 0x7f;
    size >>= 7;
    if (size > 0) part |= 0x80;
    prefix.push(part);
  } while (size > 0);
  return Buffer.concat([Buffer.from(prefix), Buffer.from(payload)]);
}

/** The official protocol, except that a `corrupt` invocation is replaced by the bytes `make(invocationId)` gives. */
class CorruptingProtocol extends MessagePackHubProtocol {
  constructor(make) { super(); this.make = make; }
  writeMessage(message) {
    if (message.type === MessageType.Invocation && message.target === 'corrupt') {
      return Uint8Array.from(this.make(message.invocationId ?? null)).buffer;
    }
    return super.writeMessage(message);
  }
}

const withoutArrival = (events) => events.map(({ receivedAt, ...e }) => e);

/** `actual` with every nil that `expected` (the JSON form) leaves out removed; fails on any other difference. */
function withoutNilsJsonOmits(actual, expected, path = '$') {
  if (Array.isArray(actual)) return actual.map((v, i) => withoutNilsJsonOmits(v, expected?.[i], `${path}[${i}]`));
  if (actual === null || typeof actual !== 'object') return actual;
  const out = {};
  for (const [key, value] of Object.entries(actual)) {
    if (value === null && !(expected && key in expected)) continue;
    out[key] = withoutNilsJsonOmits(value, expected?.[key], `${path}.${key}`);
  }
  return out;
}

test('a MessagePack viewer and a JSON viewer of one run receive the same names and values', async () => {
  const json = await connect(server.hubUrl, { protocol: 'json' });
  const msgpack = await connect(server.hubUrl, { protocol: 'messagepack' });
  try {
    const failing = 'sim/broken?ttft=20&tps=300&tokens=30&fail=midstream';
    const { started, events } = await json.run({ prompt: 'Naïve question: why? 🎉', models: [sim.fast, sim.quick, failing], chairman: sim.chair, search: true });
    assert.deepEqual(await msgpack.invoke('resume_run', { runId: started.runId, afterSeq: 0 }), await json.invoke('resume_run', { runId: started.runId, afterSeq: events.length }));
    await msgpack.waitFor((e) => e.runId === started.runId && e.type === 'run_complete');
    const expected = withoutArrival(events);
    const actual = withoutArrival(msgpack.events(started.runId));
    assert.deepEqual(withoutNilsJsonOmits(actual, expected), expected);
    // What the contract says in lowercase strings and numbers, MessagePack says alike.
    const end = actual.at(-1);
    assert.equal(end.status, 'ok');
    assert.equal(typeof end.metrics.cost, 'number');
    assert.ok(end.metrics.calls.some((c) => c.status === 'failed'));
    assert.equal(actual.find((e) => e.type === 'model_complete' && e.status === 'ok').usage.cost > 0, true);
    assert.ok(actual.some((e) => e.type === 'search_results'));
    // Absent optional fields are nil, the same for every MessagePack client.
    assert.equal(actual.find((e) => e.type === 'model_complete' && e.status === 'ok').error, null);
    assert.deepEqual(await msgpack.invoke('list_models'), await json.invoke('list_models'));
    assert.deepEqual(await msgpack.invoke('list_workflows'), await json.invoke('list_workflows'));
  } finally {
    await Promise.all([json.stop(), msgpack.stop()]);
  }
});

const startRun = (invocationId, argumentBytes) => frame([
  0x95, 0x01, 0x80, ...(invocationId === null ? [0xc0] : encode(invocationId)), ...encode('start_run'), 0x91, ...argumentBytes]);

// Frames that are not a message at all: the connection closes, and the close message says why.
const broken = {
  'an array that declares 4 billion elements': () => frame([0xdd, 0xff, 0xff, 0xff, 0xff]),
  'a frame that declares 10 MB': () => [0x80, 0x80, 0x80, 0x05],
  'the unused byte 0xc1 as the message': () => frame([0xc1]),
  'a message type that is not a number': () => frame([0x91, 0xa1, 0x78]),
};

for (const [name, make] of Object.entries(broken)) {
  test(`${name} closes that connection only, with the reason`, async () => {
    const good = await connect(server.hubUrl, { protocol: 'messagepack' });
    const bad = await connect(server.hubUrl, { protocol: new CorruptingProtocol(make) });
    try {
      const closed = new Promise((resolve) => bad.connection.onclose(resolve));
      const running = good.run({ prompt: 'Still there?', models: [sim.fast, sim.quick], chairman: sim.chair });
      await bad.connection.send('corrupt');
      const error = await closed;
      assert.match(String(error), /Connection closed with an error\. HubException: The messagepack protocol refused a (malformed message|message of \d+ bytes is over the \d+-byte limit)/);
      const { events } = await running;
      assert.equal(events.at(-1).status, 'ok');
      assert.equal(good.connection.state, 'Connected');
      assert.ok((await good.invoke('list_models')).length > 0);
    } finally {
      await Promise.all([good.stop(), bad.stop()]);
    }
  });
}

// Well-framed invocations whose argument is wrong: that call fails with a HubException, the connection goes on.
const nested = (depth) => [...Array(depth).fill(0x91), 0x90];
const wrongArguments = {
  'an argument nested 1000 deep': [nested(1000), /.+/],
  'a string cut short': [[0x81, ...encode('prompt'), 0xdb, 0x00, 0x01, 0x00, 0x00, 0x61], /.+/],
  'a prompt that is a number': [encode({ prompt: 42 }), /Path: \$\.prompt\b/],
  'a quorum of 1.5 answers': [encode({ prompt: 'hi', quorum: { answers: 1.5 } }), /Path: \$\.quorum\.answers\b/],
  'the unused byte 0xc1 as the argument': [[0xc1], /.+/],
};

for (const [name, [argument, says]] of Object.entries(wrongArguments)) {
  test(`${name} is refused with a HubException and the connection goes on`, async () => {
    const client = await connect(server.hubUrl, { protocol: new CorruptingProtocol((id) => startRun(id, argument)) });
    try {
      const refused = await client.invoke('corrupt').then(() => assert.fail('accepted'), (err) => err.message);
      assert.match(refused, /HubException: The arguments of 'start_run' do not match the contract: .+/);
      assert.match(refused, says);
      assert.equal(client.connection.state, 'Connected');
      const { events } = await client.run({ prompt: 'Still fine?', models: [sim.fast], chairman: sim.chair });
      assert.equal(events.at(-1).status, 'ok');
    } finally {
      await client.stop();
    }
  });
}
