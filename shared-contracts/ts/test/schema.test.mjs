// The schema is valid, strict JSON Schema that closes every object, and the generated names match it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { HubMethods, ServerEvents, HubPath } from '@council/contracts';

const read = (name) => JSON.parse(readFileSync(new URL(`../schema/${name}`, import.meta.url), 'utf8'));
const schema = read('council.schema.json');
const methods = read('methods.json');

function createAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addSchema(schema);
  return ajv;
}

test('every definition compiles in strict mode and every object is closed', () => {
  const ajv = createAjv();
  for (const [name, def] of Object.entries(schema.$defs)) {
    assert.ok(ajv.getSchema(`council.schema.json#/$defs/${name}`), name);
    if (def.type === 'object') assert.equal(def.additionalProperties, false, `${name} must not allow unknown fields`);
  }
});

test('methods.json schemas resolve against council.schema.json', () => {
  const ajv = createAjv();
  for (const m of Object.values(methods.hubMethods)) {
    for (const p of m.parameters) ajv.compile(p.schema);
    if (m.result) ajv.compile(m.result);
  }
  for (const e of Object.values(methods.serverEvents)) ajv.compile(e.payload);
});

test('the generated constants name exactly the methods and events of methods.json', () => {
  assert.equal(HubPath, methods.hubPath);
  assert.deepEqual(Object.values(HubMethods).sort(), Object.keys(methods.hubMethods).sort());
  assert.deepEqual(Object.values(ServerEvents).sort(), Object.keys(methods.serverEvents).sort());
  assert.equal(HubMethods.startRun, 'start_run');
  assert.equal(ServerEvents.runComplete, 'run_complete');
});

test('a token event validates; an unknown field, a null and a missing seq do not', () => {
  const validate = createAjv().getSchema('council.schema.json#/$defs/TokenEvent');
  const token = { runId: 'r1', seq: 3, stage: 0, model: 'sim/a', delta: 'Hello' };
  assert.ok(validate(token), JSON.stringify(validate.errors));
  assert.equal(validate({ ...token, extra: 1 }), false);
  assert.equal(validate({ ...token, delta: null }), false);
  const { seq: _, ...withoutSeq } = token;
  assert.equal(validate(withoutSeq), false);
});

test('optional members are omitted rather than null', () => {
  const validate = createAjv().getSchema('council.schema.json#/$defs/ModelCompleteEvent');
  const complete = { runId: 'r1', seq: 9, stage: 0, model: 'sim/a', status: 'ok', text: 'Hi', durationMs: 120 };
  assert.ok(validate(complete), JSON.stringify(validate.errors));
  assert.ok(validate({ ...complete, usage: { promptTokens: 10, completionTokens: 2 }, ttftMs: 40 }), JSON.stringify(validate.errors));
  assert.equal(validate({ ...complete, error: null }), false);
  assert.equal(validate({ ...complete, status: 'weird' }), false);
});
