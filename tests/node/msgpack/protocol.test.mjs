// The MessagePack protocol end to end with the official client: the same events as JSON, and malformed frames
// close only the connection that sent them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { startServer } from '../support/server.mjs';
import { connect, sim } from '../support/council.mjs';
import { frame } from './vectors.mjs';

let server;
before(async () => { server = await startServer({ env: { Council__FinishedRunIdleSeconds: '30' } }); });
after(async () => { await server?.stop(); });

/** The official protocol, except that invoking `corrupt` sends the given bytes instead of a message. */
class CorruptingProtocol extends MessagePackHubProtocol {
  constructor(bytes) { super(); this.bytes = bytes; }
  writeMessage(message) {
    if (message.type === MessageType.Invocation && message.target === 'corrupt') {
      return Uint8Array.from(this.bytes).buffer;
    }
    return super.writeMessage(message);
  }
}

const withoutArrival = (events) => events.map(({ receivedAt, ...e }) => e);

test('a MessagePack viewer and a JSON viewer of one run receive the same events', async () => {
  const json = await connect(server.hubUrl, { protocol: 'json' });
  const msgpack = await connect(server.hubUrl, { protocol: 'messagepack' });
  try {
    const { started, events } = await json.run({ prompt: 'Naïve question: why? 🎉', models: [sim.fast, sim.quick], chairman: sim.chair });
    assert.deepEqual(await msgpack.invoke('resume_run', { runId: started.runId, afterSeq: 0 }), await json.invoke('resume_run', { runId: started.runId, afterSeq: events.length }));
    await msgpack.waitFor((e) => e.runId === started.runId && e.type === 'run_complete');
    assert.deepEqual(withoutArrival(msgpack.events(started.runId)), withoutArrival(events));
    assert.deepEqual(await msgpack.invoke('list_models'), await json.invoke('list_models'));
  } finally {
    await Promise.all([json.stop(), msgpack.stop()]);
  }
});

const nested = (depth) => [...Array(depth).fill(0x91), 0x90];
const startRunWith = (argumentBytes) => frame([0x95, 0x01, 0x80, 0xa1, 0x31, 0xa9, ...Buffer.from('start_run'), 0x91, ...argumentBytes]);
const malformed = {
  'an array that declares 4 billion elements': frame([0xdd, 0xff, 0xff, 0xff, 0xff]),
  'an argument nested 1000 deep': startRunWith(nested(1000)),
  'a frame that declares 10 MB': [0x80, 0x80, 0x80, 0x05],
  'a string cut short': startRunWith([0x81, 0xa6, ...Buffer.from('prompt'), 0xdb, 0x00, 0x01, 0x00, 0x00, 0x61]),
  'the unused byte 0xc1': frame([0x91, 0xc1]),
  'invalid UTF-8 in the target': frame([0x95, 0x01, 0x80, 0xc0, 0xa2, 0xc3, 0x28, 0x90]),
};

for (const [name, bytes] of Object.entries(malformed)) {
  test(`${name} closes that connection only`, async () => {
    const good = await connect(server.hubUrl, { protocol: 'messagepack' });
    const bad = await connect(server.hubUrl, { protocol: new CorruptingProtocol(bytes) });
    try {
      const closed = new Promise((resolve) => bad.connection.onclose(resolve));
      const running = good.run({ prompt: 'Still there?', models: [sim.fast, sim.quick], chairman: sim.chair });
      await bad.connection.send('corrupt');
      const error = await closed;
      assert.match(String(error), /Connection closed with an error/);
      const { events } = await running;
      assert.equal(events.at(-1).status, 'ok');
      assert.equal(good.connection.state, 'Connected');
      assert.ok((await good.invoke('list_models')).length > 0);
    } finally {
      await Promise.all([good.stop(), bad.stop()]);
    }
  });
}
