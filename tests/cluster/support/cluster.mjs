// One test file's cluster: a Redis and named nodes on it, started before its tests and stopped after them.
import { before, after } from 'node:test';
import { startRedis } from './redis.mjs';
import { startNodes } from './nodes.mjs';

/**
 * @param {string[]} names node names
 * @param {{ env?: Record<string,string>, persist?: boolean }} [options]
 * @returns {{ redis: Awaited<ReturnType<typeof startRedis>>, nodes: Awaited<ReturnType<typeof startNodes>> }} filled in before the tests run
 */
export function useCluster(names, options = {}) {
  const cluster = { redis: undefined, nodes: [] };
  before(async () => {
    cluster.redis = await startRedis({ persist: options.persist });
    cluster.nodes = await startNodes(cluster.redis, names, options.env);
  });
  after(async () => {
    await Promise.all(cluster.nodes.map((n) => n.stop('SIGKILL')));
    await cluster.redis?.close();
  });
  return cluster;
}
