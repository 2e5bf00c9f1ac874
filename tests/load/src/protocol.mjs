// The official hub protocols, wrapped to note when each message arrived (at parse, before any handler runs) and to
// read the server's opt-in emission stamp on `token` messages (header `council-emitted`, see tests/load/probe).
import { JsonHubProtocol, MessageType } from '@microsoft/signalr';

export const STAMP_HEADER = 'council-emitted';

/** Nanoseconds of the monotonic clock (CLOCK_MONOTONIC on Linux: the clock the server's stamps use). */
export const nowNs = () => Number(process.hrtime.bigint());

/** @param {'json'|'messagepack'} name */
export async function createProtocol(name) {
  let inner;
  if (name === 'json') {
    inner = new JsonHubProtocol();
  } else if (name === 'messagepack') {
    const { MessagePackHubProtocol } = await import('@microsoft/signalr-protocol-msgpack');
    inner = new MessagePackHubProtocol();
  } else {
    throw new Error(`unknown protocol '${name}' (json or messagepack)`);
  }
  return {
    name: inner.name,
    version: inner.version,
    transferFormat: inner.transferFormat,
    writeMessage: (message) => inner.writeMessage(message),
    parseMessages(input, logger) {
      const arrivedNs = nowNs();
      const messages = inner.parseMessages(input, logger);
      for (const m of messages) {
        if (m.type !== MessageType.Invocation || !m.arguments?.[0]) continue;
        const payload = m.arguments[0];
        payload.__arrivedNs = arrivedNs;
        const stamp = m.headers?.[STAMP_HEADER];
        if (stamp) {
          const [first, last, tokens, sent] = stamp.split(';').map(Number);
          payload.__stamp = { first, last, tokens, sent };
        }
      }
      return messages;
    },
  };
}
