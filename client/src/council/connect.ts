import { connect } from '@council/client';
import type { Connect } from './connection';

/**
 * Connects with `@council/client`. The protocol is JSON unless the page was opened with
 * `?protocol=messagepack`. The API key, when the server needs one, goes with every (re)connection.
 *
 * Stateful reconnect stays off: with it on, a page following many streaming runs stalled (start_run
 * results never came back, the connection closed) once the stream outgrew the ack window of
 * SignalR's reconnect buffer. Losing the socket is covered anyway: the client resumes every run
 * from its last seq after reconnecting.
 */
const reconnectDelays = [0, 250, 500, 1000, ...Array<number>(14).fill(2000)];

export function connectFromPage(location: Location): Connect {
  const protocol = new URLSearchParams(location.search).get('protocol') === 'messagepack' ? 'messagepack' : 'json';
  // Reconnect attempts close together for half a minute, so a server that comes back is found within a second or two;
  // after that the session keeps trying every few seconds.
  return (url, accessToken) => connect(url, { protocol, statefulReconnect: false, accessToken, reconnectDelays });
}
