// Starts Council nodes that form one Orleans cluster through a Redis: the real server processes, each on its own
// loopback HTTP port and silo port.
import { randomUUID } from 'node:crypto';
import { startServer } from '../../node/support/server.mjs';
import { freePort } from './redis.mjs';

/**
 * @param {{ connectionString: string }} redis
 * @param {string[]} names node names
 * @param {Record<string,string>} [env] extra environment for every node
 * @param {{ together?: boolean }} [options] together: all at once (as after a deploy), not one after the other
 */
export async function startNodes(redis, names, env = {}, options = {}) {
  const clusterId = `test-${randomUUID()}`; // a fresh membership table per test file
  if (options.together) {
    const started = await Promise.all(names.map((name) => startNode(redis, name, clusterId, env)));
    return Object.assign(started, { clusterId });
  }
  const nodes = [];
  // One after the other: the first one up, the others join it.
  for (const name of names) {
    nodes.push(await startNode(redis, name, clusterId, env));
  }
  return Object.assign(nodes, { clusterId });
}

export async function startNode(redis, name, clusterId, env = {}) {
  const node = await startServer({
    timeoutMs: 60000,
    env: {
      Council__Cluster__Provider: 'redis',
      Council__Cluster__RedisConnectionString: redis.connectionString,
      Council__Cluster__ClusterId: clusterId,
      Council__Cluster__NodeName: name,
      Council__Cluster__SiloPort: String(await freePort()),
      ...env,
    },
  });
  return Object.assign(node, { name });
}
