// The committed fixture is exactly what @msgpack/msgpack and the official msgpack hub protocol produce today,
// and the frames the server is tested to write parse, with the official client, into the messages they stand for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decode } from '@msgpack/msgpack';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { NullLogger } from '@microsoft/signalr';
import { buildFixture, fixturePath, expand } from './vectors.mjs';

const committed = JSON.parse(readFileSync(fixturePath, 'utf8'));

test('the committed fixture is what the libraries produce (regenerate with npm run vectors)', () => {
  assert.deepEqual(committed, JSON.parse(JSON.stringify(buildFixture())));
});

test('every inline value decodes back to itself', () => {
  for (const v of committed.values.filter((x) => x.msgpack)) {
    assert.deepEqual(decode(Buffer.from(v.msgpack, 'hex')), expand(v), v.name);
  }
});

test('every client frame holds, in the spec\'s layout, the message the NUnit tests expect from it', () => {
  for (const f of committed.clientFrames) {
    const bytes = Buffer.from(f.frame, 'hex');
    let offset = 0;
    while (bytes[offset] & 0x80) offset++;
    const items = decode(bytes.subarray(offset + 1));
    const m = f.message;
    assert.equal(items[0], m.type, f.name);
    if (m.type === 1 || m.type === 4) {
      assert.deepEqual(items.slice(1, 6), [m.headers ?? {}, m.invocationId ?? null, m.target, m.arguments, m.streamIds], f.name);
    } else if (m.type === 2) {
      assert.deepEqual(items.slice(1), [m.headers ?? {}, m.invocationId, m.item], f.name);
    } else if (m.type === 3) {
      const kind = m.error ? 1 : 'result' in m ? 3 : 2;
      assert.deepEqual(items.slice(1), [m.headers ?? {}, m.invocationId, kind, ...(kind === 1 ? [m.error] : kind === 3 ? [m.result] : [])], f.name);
    } else if (m.type === 8 || m.type === 9) {
      assert.equal(items[1], m.sequenceId, f.name);
    }
  }
});

test('every server frame parses, with the official client, into the message it stands for', () => {
  const protocol = new MessagePackHubProtocol();
  // The client ignores what only a server receives (stream invocations, cancellations).
  for (const f of committed.serverFrames.filter((x) => x.message.type !== 4 && x.message.type !== 5)) {
    const bytes = Buffer.from(f.frame, 'hex');
    const parsed = protocol.parseMessages(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), NullLogger.instance);
    assert.equal(parsed.length, 1, f.name);
    const [m] = parsed;
    const expected = f.message;
    assert.equal(m.type, expected.type, f.name);
    switch (expected.type) {
      case 1:
        assert.equal(m.target, expected.target, f.name);
        assert.deepEqual(m.arguments, expected.arguments, f.name);
        assert.equal(m.invocationId, expected.invocationId, f.name);
        assert.deepEqual(m.headers, expected.headers ?? {}, f.name);
        break;
      case 2:
        assert.equal(m.item, expected.item, f.name);
        break;
      case 3:
        assert.equal(m.invocationId, expected.invocationId, f.name);
        assert.deepEqual(m.result, expected.result, f.name);
        assert.equal(m.error, expected.error, f.name);
        break;
      case 7:
        assert.equal(m.error ?? undefined, expected.error, f.name);
        assert.equal(m.allowReconnect, expected.allowReconnect, f.name);
        break;
      case 8:
      case 9:
        assert.equal(m.sequenceId, expected.sequenceId, f.name);
        break;
      default:
        break;
    }
  }
});
