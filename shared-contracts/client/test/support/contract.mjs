// Validates wire messages against the generated JSON Schema: any field the contract does not describe fails.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';

const load = (name) => JSON.parse(readFileSync(fileURLToPath(import.meta.resolve(`@council/contracts/schema/${name}`)), 'utf8'));
export const schema = load('council.schema.json');
export const methods = load('methods.json');

const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addSchema(schema);
const eventValidators = new Map(Object.entries(methods.serverEvents).map(([name, e]) => [name, ajv.compile(e.payload)]));
const resultValidators = new Map(Object.entries(methods.hubMethods).map(([name, m]) => [name, ajv.compile(m.result)]));

function check(validate, value, what) {
  if (!validate(value)) {
    throw new Error(`${what} does not match the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`);
  }
}

/** Throws unless `payload` is a valid payload of server event `name`. */
export function assertEvent(name, payload) {
  const validate = eventValidators.get(name);
  if (!validate) throw new Error(`'${name}' is not a server event of the contract`);
  check(validate, payload, `${name} event`);
}

/** Throws unless `value` is a valid result of hub method `name`. */
export function assertResult(name, value) {
  check(resultValidators.get(name), value, `${name} result`);
}

/** Records every raw message a connection receives, before the client orders or tags it. */
export function recordRaw(connection) {
  const raw = [];
  for (const name of Object.keys(methods.serverEvents)) connection.on(name, (payload) => raw.push({ name, payload }));
  return raw;
}
