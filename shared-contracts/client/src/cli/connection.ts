import { connect as netConnect } from 'node:net';
import { connect, CouncilConnectionError, type CouncilClient } from '../index.js';
import type { ConnectionArgs } from './args.js';
import type { Output } from './renderers.js';

/** Connects for a CLI command, or explains to a person why it could not (then the exit code is 3). */
export async function connectOrExplain(args: ConnectionArgs, stderr: Output): Promise<CouncilClient | undefined> {
  try {
    return await connect(args.url, {
      protocol: args.protocol,
      logLevel: args.verbose ? 'debug' : 'none',
      reconnectDelays: [0, 1000, 3000, 5000],
    });
  } catch (error) {
    if (!(error instanceof CouncilConnectionError)) throw error;
    const why = await diagnose(args.url);
    stderr.write(`council: cannot connect to Council at ${args.url}: ${why}.\n`
      + `  Is the server running? Start it with 'npm start', or point --url or COUNCIL_URL at it.\n`
      + (args.verbose ? `  (${error.message})\n` : ''));
    return undefined;
  }
}

/** SignalR reports only "fetch failed": find out what actually went wrong with a plain TCP connect. */
function diagnose(url: string, timeoutMs = 3000): Promise<string> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (why: string) => { socket.destroy(); resolve(why); };
    socket.setTimeout(timeoutMs, () => done(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    socket.once('connect', () => done(`${host}:${port} accepts connections but the Council hub did not answer there`));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      switch (error.code) {
        case 'ECONNREFUSED': return done(`connection refused (nothing listens on ${host}:${port})`);
        case 'ENOTFOUND': case 'EAI_AGAIN': return done(`host '${host}' not found`);
        case 'EHOSTUNREACH': case 'ENETUNREACH': return done(`${host} is unreachable`);
        default: return done(error.message);
      }
    });
  });
}
