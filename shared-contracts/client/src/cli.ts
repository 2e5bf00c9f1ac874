#!/usr/bin/env node
// The `council` command: see `council --help`.
import { main } from './cli/main.js';

const code = await main(process.argv.slice(2), process);
process.exitCode = code;
// Everything is closed by now; if some handle still holds the event loop, do not hang on it.
setTimeout(() => process.exit(code), 2000).unref();
