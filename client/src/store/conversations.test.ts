import { describe, expect, it } from 'vitest';
import type { ConversationDetail, ConversationSummary } from '../council/api-types';
import { UnauthorizedError } from './auth-store';
import {
  ConversationStore,
  FallbackConversationRepository,
  ServerConversationRepository,
  SessionConversationRepository,
} from './conversations';

function memoryStorage() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
}

const summary: ConversationSummary = { id: 'c7', title: 'Tea or coffee?', createdAt: '2026-11-21T10:00:00Z', updatedAt: '2026-11-21T10:01:00Z', runs: 2 };
const detail: ConversationDetail = {
  ...summary,
  runs: ['r1', 'r2'].map((runId, i) => ({
    runId, conversationId: 'c7', prompt: `Question ${i + 1}`, workflow: 'council', models: [], status: 'ok', lastSeq: 10,
    createdAt: '2026-11-21T10:00:00Z', outputs: [],
  })),
};

function fakeServer(routes: Record<string, unknown>) {
  const requested: string[] = [];
  const fetchJson = async (url: string) => {
    requested.push(new URL(url).pathname);
    const body = routes[new URL(url).pathname];
    return new Response(body === undefined ? 'not found' : JSON.stringify(body), { status: body === undefined ? 404 : 200 });
  };
  return { requested, repository: new ServerConversationRepository('http://127.0.0.1:5000', fetchJson) };
}

describe('ConversationStore', () => {
  it('lists a new conversation once it has a question, and names it after the question', () => {
    const store = new ConversationStore(new SessionConversationRepository(memoryStorage()));
    const id = store.getSnapshot().active.id;
    expect(store.getSnapshot().list).toEqual([]);
    store.addTurn(id, { id: 't1', prompt: 'How do tides work?\nDetails please', sentAt: 1 });
    store.turnStarted(id, 't1', 'r1', 'server-c1');
    expect(store.getSnapshot().list).toHaveLength(1);
    expect(store.getSnapshot().active).toMatchObject({ title: 'How do tides work?', serverId: 'server-c1', turns: [{ runId: 'r1' }] });
    store.startNew();
    expect(store.getSnapshot().active.turns).toEqual([]);
    expect(store.getSnapshot().list).toHaveLength(1);
  });

  it('keeps this tab’s conversations across a reload in session storage', async () => {
    const storage = memoryStorage();
    const first = new ConversationStore(new SessionConversationRepository(storage));
    first.addTurn(first.getSnapshot().active.id, { id: 't1', prompt: 'Q', sentAt: 1, runId: 'r1' });
    await Promise.resolve();
    const second = new ConversationStore(new SessionConversationRepository(storage));
    await second.load();
    expect(second.getSnapshot().list.map((c) => c.turns.length)).toEqual([1]);
  });

  it('lists the server’s conversations and fetches a conversation’s turns when it is opened', async () => {
    const { repository, requested } = fakeServer({ '/api/conversations': [summary], '/api/conversations/c7': detail });
    const store = new ConversationStore(repository);
    await store.load();
    expect(store.getSnapshot().list[0]).toMatchObject({ id: 'c7', serverId: 'c7', loaded: false, turnCount: 2, turns: [] });
    await store.select('c7');
    expect(store.getSnapshot().active.turns.map((t) => [t.prompt, t.runId])).toEqual([['Question 1', 'r1'], ['Question 2', 'r2']]);
    expect(requested).toEqual(['/api/conversations', '/api/conversations/c7']);
  });

  it('falls back to session storage when the server keeps no conversations', async () => {
    const { repository } = fakeServer({});
    const storage = memoryStorage();
    await new SessionConversationRepository(storage).save({ id: 'local', title: 'Local', createdAt: 1, turns: [{ id: 't', prompt: 'Q', sentAt: 1 }] });
    const store = new ConversationStore(new FallbackConversationRepository(repository, new SessionConversationRepository(storage)));
    await store.load();
    expect(store.getSnapshot().list.map((c) => c.id)).toEqual(['local']);
  });

  it('does not give up on the server for a 401: the list loads once the user has signed in', async () => {
    let signedIn = false;
    const server = new ServerConversationRepository('http://127.0.0.1:5000', async (url) => {
      if (!signedIn) throw new UnauthorizedError(`${url}: HTTP 401`);
      return new Response(JSON.stringify([summary]), { status: 200 });
    });
    const store = new ConversationStore(new FallbackConversationRepository(server, new SessionConversationRepository(memoryStorage())));
    await expect(store.load()).rejects.toBeInstanceOf(UnauthorizedError);
    signedIn = true;
    await store.load();
    expect(store.getSnapshot().list.map((c) => c.id)).toEqual(['c7']);
  });
});
