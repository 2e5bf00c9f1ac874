// A tiny OpenAI-compatible chat-completions server on 127.0.0.1: streams whatever text a test wants a
// "model" to answer, in the SSE format the server's OpenAiCompatibleProvider reads. Point the Council
// server at it with Council__Providers__<name>__BaseUrl=<stub.baseUrl>.
import http from 'node:http';

/**
 * @param {(request: { model: string, messages: { role: string, content: string }[] }) => string} answer
 *   the text to stream for a request
 * @param {{ chunkChars?: number }} [options] chunkChars: characters per SSE delta (small, so markup is split across deltas)
 */
export async function startOpenAiStub(answer, { chunkChars = 7 } = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const body = JSON.parse(raw);
    requests.push(body);
    const text = answer(body);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (data) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    const id = `chatcmpl-stub-${requests.length}`;
    send({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] });
    for (let i = 0; i < text.length; i += chunkChars) {
      send({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta: { content: text.slice(i, i + chunkChars) } }] });
    }
    send({ id, object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    send({ id, object: 'chat.completion.chunk', model: body.model, choices: [], usage: { prompt_tokens: 20, completion_tokens: Math.ceil(text.length / 4), total_tokens: 20 + Math.ceil(text.length / 4) } });
    send('[DONE]');
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
