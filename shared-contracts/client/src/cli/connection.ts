import { connect as netConnect } from 'node:net';
import { connect, CouncilConnectionError, type CouncilClient } from '../index.js';
import type { ConnectionArgs } from './args.js';
import type { Output } from './renderers.js';

/** Connects for a CLI command, or explains to a person why it could not (then the exit code is 3). */
export async function connectOrExplain(args: ConnectionArgs, stderr: Output): Promise<CouncilClient | undefined> {
  try {
    return await connect(args.url, {
      protocol: args.protocol,
      accessToken: args.apiKey,
      logLevel: args.verbose ? 'debug' : 'none',
      reconnectDelays: [0, 1000, 3000, 5000],
    });
  } catch (error) {
    if (!(error instanceof CouncilConnectionError)) throw error;
    const { why, hint } = error.unauthorized ? unauthorized(args) : await explain(args.url, error.message);
    stderr.write(`council: cannot connect to Council at ${args.url}: ${why.replace(/\.+$/, '')}.\n${hint ? `  ${hint}\n` : ''}`
      + (args.verbose ? `  (${error.message})\n` : ''));
    return undefined;
  }
}

/** HTTP 401: say whether a key was missing or refused, and where the one sent came from; never the key itself. */
function unauthorized(args: ConnectionArgs): { why: string; hint: string } {
  return args.apiKey === undefined
    ? { why: 'the server requires an API key (HTTP 401 Unauthorized)', hint: 'Set COUNCIL_API_KEY, or pass --api-key <key>.' }
    : { why: `the server did not accept the API key from ${args.apiKeyFrom} (HTTP 401 Unauthorized): it is wrong, expired or revoked`, hint: `Check the key in ${args.apiKeyFrom}.` };
}

const notRunning = "Is the server running? Start it with 'npm start', or point --url or COUNCIL_URL at it.";

/** SignalR often says only "fetch failed": find out what went wrong, with a plain TCP connect if need be. */
async function explain(url: string, message: string): Promise<{ why: string; hint?: string }> {
  const handshake = /handshake error: (.*)$/s.exec(message);
  if (handshake) return { why: `the server refused the connection: ${handshake[1]}` };
  const status = /Status code '(\d+)'/.exec(message);
  if (status) return { why: `HTTP ${status[1]} from the hub's negotiate request, so no Council hub answers there`, hint: 'Point --url or COUNCIL_URL at a Council server.' };
  const tcp = await probe(url);
  return tcp ? { why: tcp, hint: notRunning } : { why: message.replace(/^cannot connect to \S+: /, '') };
}

/** Why a TCP connection to the server fails, or undefined when it succeeds. */
function probe(url: string, timeoutMs = 3000): Promise<string | undefined> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (why: string | undefined) => { socket.destroy(); resolve(why); };
    socket.setTimeout(timeoutMs, () => done(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
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
