// The MessagePack byte vectors the server's encoder and decoder are tested against (NUnit), as the official
// client's libraries write them: values encoded by @msgpack/msgpack, client frames written by
// @microsoft/signalr-protocol-msgpack, and the frames the server must write for its messages.
// `node msgpack/make-vectors.mjs` writes them to the fixture; msgpack/vectors.test.mjs checks the fixture against
// the libraries, so a fixture edited by hand, or a library that changed, fails.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';

export const fixturePath = path.resolve(path.dirname(fileURLToPath(import.meta.url)),
  '../../Council.Server.Tests/Hub/MessagePack/msgpack-vectors.json');

/** Values are stored whole up to this many encoded bytes; longer ones as a recipe, head, length and SHA-256. */
const INLINE_BYTES = 600;

export const hex = (bytes) => Buffer.from(bytes).toString('hex');

/** A value that is a string or array too long to store whole: `{ repeat: unit, times }`. */
export function expand(vector) {
  if (!vector.repeat) return vector.value;
  const { unit, times, kind } = vector.repeat;
  return kind === 'array' ? Array.from({ length: times }, () => unit) : unit.repeat(times);
}

/** The stored form of an encoding: whole, or head + length + SHA-256 for long ones. */
export function describeBytes(bytes) {
  if (bytes.length <= INLINE_BYTES) return { msgpack: hex(bytes) };
  return { msgpackHead: hex(bytes.subarray(0, 8)), msgpackLength: bytes.length, msgpackSha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The VarInt length prefix of SignalR's binary framing. */
export function frame(payload) {
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

const ints = [
  0, 1, 127, // positive fixint
  128, 255, 256, 65535, 65536, 4294967295, 4294967296, Number.MAX_SAFE_INTEGER, // uint 8, 16, 32, 64
  -1, -32, // negative fixint
  -33, -128, -129, -32768, -32769, -2147483648, -2147483649, Number.MIN_SAFE_INTEGER, // int 8, 16, 32, 64
];
const float64s = [0.5, -1.25, Math.PI, -0.1, 1e300, 5e-324, Number.MAX_VALUE, 0.000061];
const float32s = [1.5, -0.25, 1234.5625, 3.4028234663852886e38, 1.1754943508222875e-38];
const strings = [
  ['fixstr empty', ''], ['fixstr ascii', 'hello'], ['fixstr max (31 bytes)', 'a'.repeat(31)], ['str 8 min (32 bytes)', 'a'.repeat(32)],
  ['str 8 max (255 bytes)', 'a'.repeat(255)], ['str 16 min (256 bytes)', 'a'.repeat(256)],
  ['2-byte UTF-8', 'é'], ['3-byte UTF-8', '€'], ['4-byte UTF-8 (surrogate pair in UTF-16)', '😀'],
  ['mixed scripts', 'naïve café – 日本語 🎉'],
  ['fixstr max in 2-byte UTF-8 (31 bytes)', 'é'.repeat(15) + 'a'], ['str 8 min in 2-byte UTF-8 (32 bytes)', 'é'.repeat(16)],
  ['str 8 max in 3-byte UTF-8 (255 bytes)', '€'.repeat(85)], ['str 16 min in 3-byte UTF-8 (256 bytes)', '€'.repeat(85) + 'a'],
  ['characters JSON escapes', 'quote " backslash \\ slash / newline \n tab \t cr \r nul \u0000 bell \u0007 <tag> & \' + \u2028'],
];
const longStrings = [
  ['str 16 max (65535 bytes)', { unit: 'a', times: 65535 }],
  ['str 32 min (65536 bytes)', { unit: 'a', times: 65536 }],
  ['str 16 max in 3-byte UTF-8 (65535 bytes)', { unit: '€', times: 21845 }],
  ['str 32 min in 4-byte UTF-8 (65536 bytes)', { unit: '😀', times: 16384 }],
];
const keyed = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
const structures = [
  ['nil', null], ['true', true], ['false', false],
  ['fixarray empty', []], ['fixarray', [1, 'two', null, false]], ['fixarray max (15)', Array.from({ length: 15 }, (_, i) => i)],
  ['array 16 min (16)', Array.from({ length: 16 }, (_, i) => i)],
  ['fixmap empty', {}], ['fixmap', { a: 1, b: 'two', c: null }], ['fixmap max (15)', keyed(15)], ['map 16 min (16)', keyed(16)],
  ['nested', { a: [1, { b: null, c: [[], {}] }], d: { e: { f: { g: 'deep' } } }, h: [-1.5, 300, 'é'] }],
  ['nested arrays', [[[[[[[[1]]]]]]]]],
  ['token event', { stage: 0, model: 'sim/fast?ttft=30&tps=300&tokens=40', delta: ' token', runId: '01a1fe3626d37c37a9437aae87be3564', seq: 42 }],
  ['start_run request', { prompt: 'Why is the sky blue?', workflow: 'council', models: ['sim/a', 'sim/b'], chairman: 'sim/c', conversationId: 'c1' }],
  ['model_complete event', { stage: 1, model: 'sim/b', status: 'ok', text: 'FINAL RANKING:\n1. Response A', ttftMs: 73, durationMs: 182, usage: { promptTokens: 2, completionTokens: 40, cost: 0.000061 }, ranking: ['sim/a', 'sim/b'], runId: 'r', seq: 7 }],
];
const longArrays = [
  ['array 16 max (65535)', { unit: 0, times: 65535, kind: 'array' }],
  ['array 32 min (65536)', { unit: 0, times: 65536, kind: 'array' }],
];

export function buildValues() {
  const values = [];
  const add = (name, value, options = {}) => {
    const bytes = encode(value, { forceFloat32: !!options.float32 });
    values.push({ name, value, ...(options.float32 ? { float32: true } : {}), ...describeBytes(bytes) });
  };
  for (const n of ints) add(`int ${n}`, n);
  for (const f of float64s) add(`float 64 ${f}`, f);
  for (const f of float32s) add(`float 32 ${f}`, f, { float32: true });
  for (const [name, s] of strings) add(`string: ${name}`, s);
  for (const [name, v] of structures) add(name, v);
  for (const [name, repeat] of [...longStrings, ...longArrays]) {
    const vector = { name: repeat.kind === 'array' ? name : `string: ${name}`, repeat };
    values.push({ ...vector, ...describeBytes(encode(expand(vector))) });
  }
  return values;
}

const runId = '01a1fe3626d37c37a9437aae87be3564';

/** Frames the server writes: the message as the JS client parses it, and the array layout the server encodes. */
const serverFrames = [
  {
    name: 'token event',
    message: { type: 1, target: 'token', arguments: [{ stage: 0, model: 'sim/fast?ttft=30&tps=300&tokens=40', delta: ' token', runId, seq: 42 }] },
    argumentTypes: ['TokenEvent'],
  },
  {
    name: 'model_complete event with usage and unicode text',
    message: { type: 1, target: 'model_complete', arguments: [{ stage: 0, model: 'sim/fast', status: 'ok', text: 'Naïve ☕ "quoted" 🎉\n', ttftMs: 73, durationMs: 182, usage: { promptTokens: 2, completionTokens: 40, cost: 0.000061 }, runId, seq: 43 }] },
    argumentTypes: ['ModelCompleteEvent'],
  },
  {
    name: 'completion with a start_run result',
    message: { type: 3, invocationId: '1', result: { runId, conversationId: 'c1', workflow: 'council', stages: [{ index: 0, name: 'answers', kind: 'answers', models: ['sim/a', 'sim/b'] }] } },
    resultType: 'StartRunResult',
  },
  { name: 'completion with a list_models result', message: { type: 3, invocationId: '2', result: [{ id: 'sim/a', provider: 'simulated' }] }, resultType: 'ModelInfo[]' },
  { name: 'completion without result', message: { type: 3, invocationId: '3' } },
  { name: 'completion with an error', message: { type: 3, invocationId: '4', error: "Unknown run 'nope'. Use the runId that start_run returned." } },
  { name: 'stream item', message: { type: 2, invocationId: '5', item: 'chunk' } },
  { name: 'cancel invocation', message: { type: 5, invocationId: '6' } },
  { name: 'invocation with headers, id, stream ids and plain arguments', message: { type: 1, headers: { trace: 'abc', 'x-é': 'ü' }, invocationId: '7', target: 'method', arguments: [42, 'text', null, true, -1.5], streamIds: ['s1', 's2'] }, argumentTypes: ['Int32', 'String', 'String', 'Boolean', 'Double'] },
  { name: 'stream invocation', message: { type: 4, invocationId: '8', target: 'stream', arguments: [], streamIds: [] } },
  { name: 'ping', message: { type: 6 } },
  { name: 'close with an error that allows reconnect', message: { type: 7, error: 'Server is shutting down.', allowReconnect: true } },
  { name: 'close without error', message: { type: 7, allowReconnect: false } },
  { name: 'ack', message: { type: 8, sequenceId: 1394 } },
  { name: 'sequence', message: { type: 9, sequenceId: 4294967296 } },
];

/** The array the server writes for a message: what the spec lays out, with the choices noted in the protocol. */
export function serverLayout(m) {
  const headers = m.headers ?? {};
  switch (m.type) {
    case 1:
    case 4: {
      const base = [m.type, headers, m.invocationId ?? null, m.target, m.arguments];
      return m.streamIds?.length ? [...base, m.streamIds] : base;
    }
    case 2: return [2, headers, m.invocationId, m.item];
    case 3:
      if (m.error) return [3, headers, m.invocationId, 1, m.error];
      return 'result' in m ? [3, headers, m.invocationId, 3, m.result] : [3, headers, m.invocationId, 2];
    case 5: return [5, headers, m.invocationId];
    case 6: return [6];
    case 7: return [7, m.error ?? null, !!m.allowReconnect];
    case 8: return [8, m.sequenceId];
    case 9: return [9, m.sequenceId];
    default: throw new Error(`no layout for type ${m.type}`);
  }
}

/** Frames the official client writes, with what the server must make of them. */
const clientFrames = [
  { name: 'start_run invocation', message: { type: 1, invocationId: '0', target: 'start_run', arguments: [{ prompt: 'Why is the sky blue?', models: ['sim/a', 'sim/b'], chairman: 'sim/c' }], streamIds: [] } },
  { name: 'start_run with a unicode prompt', message: { type: 1, invocationId: '1', target: 'start_run', arguments: [{ prompt: 'naïve café – 日本語 🎉 "quoted" \\ \n' }], streamIds: [] } },
  { name: 'non-blocking cancel_run', message: { type: 1, target: 'cancel_run', arguments: [{ runId }], streamIds: [] } },
  { name: 'cancel_model with a stage and headers', message: { type: 1, headers: { trace: 'abc' }, invocationId: '2', target: 'cancel_model', arguments: [{ runId, model: 'sim/slow', stage: 2 }], streamIds: [] } },
  { name: 'resume_run with a 64-bit seq', message: { type: 1, invocationId: '3', target: 'resume_run', arguments: [{ runId, afterSeq: 4294967296 }], streamIds: [] } },
  { name: 'list_models without arguments', message: { type: 1, invocationId: '4', target: 'list_models', arguments: [], streamIds: [] } },
  { name: 'start_run with a number for the prompt', message: { type: 1, invocationId: '5', target: 'start_run', arguments: [{ prompt: 42 }], streamIds: [] }, bindingFailure: 'Path: $.prompt' },
  { name: 'start_run without arguments', message: { type: 1, invocationId: '6', target: 'start_run', arguments: [], streamIds: [] }, bindingFailure: 'Invocation provides 0 argument(s) but target expects 1.' },
  { name: 'unknown method', message: { type: 1, invocationId: '7', target: 'no_such_method', arguments: [1], streamIds: [] }, bindingFailure: 'Method does not exist.' },
  { name: 'stream invocation with upload streams', message: { type: 4, invocationId: '8', target: 'cancel_run', arguments: [{ runId }], streamIds: ['s1'] } },
  { name: 'stream item', message: { type: 2, invocationId: 's1', item: 'chunk' } },
  { name: 'completion without result', message: { type: 3, invocationId: 'c1' } },
  { name: 'completion with an error', message: { type: 3, invocationId: 'c2', error: 'It did not work.' } },
  { name: 'completion with a result', message: { type: 3, invocationId: 'c3', result: { accepted: true } } },
  { name: 'cancel invocation', message: { type: 5, invocationId: '9' } },
  { name: 'ping', message: { type: 6 } },
  { name: 'close', message: { type: 7 } },
  { name: 'ack', message: { type: 8, sequenceId: 36 } },
  { name: 'sequence', message: { type: 9, sequenceId: 19 } },
];

export function buildFrames() {
  const protocol = new MessagePackHubProtocol();
  return {
    clientFrames: clientFrames.map((f) => ({ ...f, frame: hex(new Uint8Array(protocol.writeMessage(f.message))) })),
    serverFrames: serverFrames.map((f) => ({ ...f, frame: hex(frame(encode(serverLayout(f.message)))) })),
  };
}

export function buildFixture() {
  return {
    comment: 'Generated by tests/node/msgpack/make-vectors.mjs from @msgpack/msgpack and @microsoft/signalr-protocol-msgpack; checked by tests/node/msgpack/vectors.test.mjs. Do not edit by hand.',
    values: buildValues(),
    ...buildFrames(),
  };
}
