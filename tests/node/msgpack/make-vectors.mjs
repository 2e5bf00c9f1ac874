// Writes the MessagePack vector fixture the NUnit tests read. Usage: npm run vectors (in tests/node).
import { writeFileSync } from 'node:fs';
import { buildFixture, fixturePath } from './vectors.mjs';

const fixture = buildFixture();
writeFileSync(fixturePath, `${JSON.stringify(fixture, null, 1)}\n`);
console.log(`${fixture.values.length} values, ${fixture.clientFrames.length} client frames, ${fixture.serverFrames.length} server frames -> ${fixturePath}`);
