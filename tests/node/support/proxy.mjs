// A loopback TCP proxy in front of the server: lets a test cut a client's connection (the socket, not the
// run) or stop reading from the server (a frozen client), the way a network or a stuck tab would.
import net from 'node:net';

export async function startProxy(targetUrl) {
  const target = new URL(targetUrl);
  const pairs = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream, paused: false };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => { pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    hubUrl: `${url}/hubs/council`,
    /** Destroys every proxied connection at once. */
    cutAll() { for (const p of [...pairs]) { p.client.destroy(); p.upstream.destroy(); } },
    /** Stops reading from the server for every connection: the server's sends back up. */
    freezeAll() { for (const p of pairs) { p.upstream.unpipe(p.client); p.upstream.pause(); p.paused = true; } },
    async stop() { this.cutAll(); await new Promise((resolve) => server.close(resolve)); },
  };
}
