// Prints the figures of a cluster of 3 nodes on one Redis (Debian's redis-server), all on 127.0.0.1:
//  - the latency a viewer on another node adds per token event, against a viewer on the grain's node, for the
//    same events (both clients in this process, so one clock): p50/p99 over every token of every run;
//  - the time from kill -9 of a run's node to viewers on the other nodes receiving its run_complete (interrupted);
//  - how long a node takes from its start to listening (joining the cluster included);
//  - with --postgres (storage on one PostgreSQL, Debian's), also the time from the kill to the run read as
//    interrupted from storage on another node (the survivors close it).
// Usage: node build/bench/cluster-figures.mjs [--connections 300] [--kills 5] [--postgres]
//   (after: dotnet build Council.sln -c Release)
import { randomUUID } from 'node:crypto';
import { connect } from '../../tests/node/support/council.mjs';
import { startRedis } from '../../tests/cluster/support/redis.mjs';
import { startNode } from '../../tests/cluster/support/nodes.mjs';
import { startPostgres } from '../../tests/cluster/support/postgres.mjs';
import { postgresEnv } from '../../tests/cluster/support/cluster.mjs';

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : fallback; };
const connections = arg('connections', 300);
const kills = arg('kills', 5);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };
const ms = (x) => `${x.toFixed(2)} ms`;

const redis = await startRedis();
const postgres = process.argv.includes('--postgres') ? await startPostgres() : null;
const storageEnv = postgres ? postgresEnv(postgres) : {};
const clusterId = `bench-${randomUUID()}`;
const startups = [];
async function timedNode(name) {
  const started = performance.now();
  const node = await startNode(redis, name, clusterId, storageEnv);
  startups.push(performance.now() - started);
  return node;
}

const nodes = [];
try {
  for (const name of ['node-a', 'node-b', 'node-c']) nodes.push(await timedNode(name));

  // Each run: its starter on the grain's node (the same-node viewer) and two viewers on the other nodes.
  const runs = Math.max(1, Math.floor(connections / 3));
  const groups = await Promise.all(Array.from({ length: runs }, (_, i) => Promise.all([0, 1, 2].map((k) => connect(nodes[(i + k) % 3].hubUrl)))));
  const added = [];
  const model = 'sim/bench?ttft=50&tps=50&tokens=150';
  await Promise.all(groups.map(async ([starter, ...others], i) => {
    await new Promise((r) => setTimeout(r, (i * 1000) / runs)); // starts spread over a second
    const { runId } = await starter.invoke('start_run', { prompt: `Cluster bench ${i}`, models: [model], chairman: 'sim/ch?ttft=20&tps=200&tokens=20' });
    await Promise.all(others.map((v) => v.invoke('resume_run', { runId, afterSeq: 0 })));
    await Promise.all([starter, ...others].map((v) => v.waitFor((e) => e.runId === runId && e.type === 'run_complete', 120000)));
    const local = new Map(starter.events(runId).map((e) => [e.seq, e.receivedAt]));
    const resumedAt = Math.max(...others.map((v) => v.events(runId)[0].receivedAt)); // the replay before it is not live
    for (const viewer of others) {
      for (const e of viewer.events(runId)) {
        if (e.type === 'token' && e.receivedAt > resumedAt && local.get(e.seq) > resumedAt) added.push(e.receivedAt - local.get(e.seq));
      }
    }
  }));
  await Promise.all(groups.flat().map((v) => v.stop()));
  console.log(`cross-node viewer vs same-node viewer, added latency per token event (${runs} runs, ${runs * 3} connections over 3 nodes, ${added.length} token events):`);
  console.log(`  p50 ${ms(pct(added, 50))}, p99 ${ms(pct(added, 99))}, max ${ms(Math.max(...added))}`);

  // kill -9 of the node holding a run; a fresh node each time, the two others watch.
  const [b, c] = nodes.slice(1);
  const toInterrupt = [];
  const toStored = [];
  for (let k = 0; k < kills; k++) {
    const victim = await timedNode(`victim-${k}`);
    const starter = await connect(victim.hubUrl);
    const viewers = [await connect(b.hubUrl), await connect(c.hubUrl)];
    const { runId } = await starter.invoke('start_run', { prompt: `Kill ${k}`, models: ['sim/long?ttft=20&tps=40&tokens=3000'], chairman: 'sim/ch?ttft=20&tps=200&tokens=20' });
    for (const v of viewers) await v.invoke('resume_run', { runId, afterSeq: 0 });
    await Promise.all(viewers.map((v) => v.waitFor((e) => e.runId === runId && e.type === 'token')));
    const killedAt = performance.now();
    victim.process.kill('SIGKILL');
    const ends = await Promise.all(viewers.map((v) => v.waitFor((e) => e.runId === runId && e.type === 'run_complete', 60000)));
    toInterrupt.push(...ends.map((e) => e.receivedAt - killedAt));
    while (postgres && (await (await fetch(`${b.url}/api/runs/${runId}`)).json()).status !== 'interrupted') {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (postgres) toStored.push(performance.now() - killedAt);
    await Promise.all([starter, ...viewers].map((v) => v.stop().catch(() => {})));
    await victim.stop('SIGKILL');
  }
  console.log(`kill -9 → run_complete (interrupted) on the other nodes' viewers, ${kills} kills: ${toInterrupt.map((x) => (x / 1000).toFixed(2)).join(', ')} s; max ${(Math.max(...toInterrupt) / 1000).toFixed(2)} s`);
  if (postgres) console.log(`kill -9 → the run stored as interrupted (read on another node), ${kills} kills: ${toStored.map((x) => (x / 1000).toFixed(2)).join(', ')} s`);
  console.log(`node start → listening (cluster joined): ${startups.map((x) => (x / 1000).toFixed(2)).join(', ')} s`);
} finally {
  await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
  await redis.close();
  await postgres?.close();
}
