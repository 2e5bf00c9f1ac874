// One test file's cluster: a Redis (and a PostgreSQL, when asked) and named nodes on it, started before its tests and
// stopped after them.
import { before, after } from 'node:test';
import { startRedis } from './redis.mjs';
import { startNodes } from './nodes.mjs';
import { startPostgres } from './postgres.mjs';

/** The environment that puts a node's storage on a PostgreSQL. */
export const postgresEnv = (postgres) => ({ Council__Storage__Provider: 'postgres', Council__Storage__ConnectionString: postgres.connectionString });

/**
 * @param {string[]} names node names
 * @param {{ env?: Record<string,string>, persist?: boolean, postgres?: boolean, together?: boolean }} [options]
 *   postgres: every node's storage on one PostgreSQL (default: COUNCIL_CLUSTER_STORAGE=postgres puts every cluster test
 *   file on one); together: the nodes started at once, not one after the other
 * @returns {{ redis: Awaited<ReturnType<typeof startRedis>>, postgres?: Awaited<ReturnType<typeof startPostgres>>, nodes: Awaited<ReturnType<typeof startNodes>> }} filled in before the tests run
 */
export function useCluster(names, options = {}) {
  const cluster = { redis: undefined, postgres: undefined, nodes: [] };
  before(async () => {
    cluster.redis = await startRedis({ persist: options.persist });
    if (options.postgres ?? process.env.COUNCIL_CLUSTER_STORAGE === 'postgres') cluster.postgres = await startPostgres();
    const env = { ...(cluster.postgres ? postgresEnv(cluster.postgres) : {}), ...options.env };
    cluster.nodes = await startNodes(cluster.redis, names, env, { together: options.together });
  });
  after(async () => {
    await Promise.all(cluster.nodes.map((n) => n.stop('SIGKILL')));
    await cluster.redis?.close();
    await cluster.postgres?.close();
  });
  return cluster;
}
