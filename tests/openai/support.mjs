// Helpers for the /v1 tests: the official openai client against the real server, and reading a stream back.
import OpenAI from 'openai';

/** The official client on the server's /v1; no retries, so a 429 is seen as it is. */
export function openai(server, apiKey = 'unused-in-none-mode', options = {}) {
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0, timeout: 30000, ...options });
}

/** The run id a completion names (its id is chatcmpl-<runId>). */
export const runIdOf = (completionId) => completionId.replace(/^chatcmpl-/, '');

/**
 * Reads a streamed completion to its end, in arrival order: every chunk, and the reasoning and content as they came.
 * `order` lists 'reasoning' / 'content' per delta, so tests can check that all reasoning comes first.
 */
export async function collect(stream, onChunk = () => {}) {
  const chunks = [];
  const order = [];
  let reasoning = '';
  let reasoningContent = '';
  let content = '';
  for await (const chunk of stream) {
    chunks.push(chunk);
    const delta = chunk.choices[0]?.delta ?? {};
    if (delta.reasoning) { reasoning += delta.reasoning; order.push('reasoning'); }
    if (delta.reasoning_content) reasoningContent += delta.reasoning_content;
    if (delta.content) { content += delta.content; order.push('content'); }
    onChunk(chunk);
  }
  return { chunks, order, reasoning, reasoningContent, content };
}

/** The run as stored (GET /api/runs/{id}). */
export async function storedRun(server, runId, headers = {}) {
  const response = await fetch(`${server.url}/api/runs/${runId}`, { headers });
  if (!response.ok) throw new Error(`GET /api/runs/${runId}: ${response.status}`);
  return response.json();
}

/** Polls the stored run until it has ended (the store commits within a flush interval). */
export async function endedRun(server, runId, headers = {}, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await storedRun(server, runId, headers);
    if (run.status !== 'running') return run;
    if (Date.now() > until) throw new Error(`run ${runId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fast simulated members and chairman, so a whole council takes well under a second. */
export const sim = {
  a: 'sim/a?ttft=20&tps=400&tokens=40',
  b: 'sim/b?ttft=30&tps=300&tokens=30',
  c: 'sim/c?ttft=40&tps=350&tokens=35',
  chair: 'sim/chair?ttft=20&tps=400&tokens=30',
  slow: 'sim/slow?ttft=20&tps=20&tokens=2000',
};
