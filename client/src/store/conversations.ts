import type { ConversationDetail, ConversationSummary } from '../council/api-types';
import { isUnauthorized } from '../council/connection';
import { SnapshotStore } from './snapshot-store';

/** One question of a conversation and the run that answers it. */
export interface Turn {
  readonly id: string;
  readonly prompt: string;
  readonly sentAt: number;
  /** Set once the hub accepted the run. */
  readonly runId?: string;
  /** Why the hub refused the run. */
  readonly error?: string;
  /** As the server stored the run (a turn loaded from it): what a retry asks again, and how the run ended. */
  readonly workflow?: string;
  readonly models?: readonly string[];
  readonly status?: string;
}

export interface Conversation {
  readonly id: string;
  /** The server's conversation id, once the first run was accepted; follow-ups pass it. */
  readonly serverId?: string;
  readonly title: string;
  readonly createdAt: number;
  readonly turns: readonly Turn[];
  /** False while only a summary is known: `turns` is empty and `turnCount` says how many there are. */
  readonly loaded?: boolean;
  readonly turnCount?: number;
  /** Its run that is still going, by the server's list. */
  readonly runningRunId?: string;
}

/** Where conversations are kept: the server when it stores them, else this tab's session storage. */
export interface ConversationRepository {
  /** Every conversation, newest first; may be summaries (`loaded: false`). */
  load(): Promise<Conversation[]>;
  /** One conversation with its turns. */
  get(id: string): Promise<Conversation | undefined>;
  save(conversation: Conversation): Promise<void>;
  /** Renames a stored conversation; rejects with the reason when it cannot. */
  rename?(conversation: Conversation, title: string): Promise<void>;
  /** Deletes a stored conversation; rejects with the reason when it cannot (a run of it still going). */
  remove?(conversation: Conversation): Promise<void>;
}

/** Keeps this tab's conversations in sessionStorage, so a reload can resume them. */
export class SessionConversationRepository implements ConversationRepository {
  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = safeSessionStorage(),
    private readonly key = 'council.conversations.v1',
  ) {}

  load(): Promise<Conversation[]> {
    try {
      const raw = this.storage?.getItem(this.key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Promise.resolve(Array.isArray(parsed) ? (parsed as Conversation[]) : []);
    } catch {
      return Promise.resolve([]);
    }
  }

  async get(id: string): Promise<Conversation | undefined> {
    return (await this.load()).find((c) => c.id === id);
  }

  async save(conversation: Conversation): Promise<void> {
    const all = await this.load();
    const index = all.findIndex((c) => c.id === conversation.id);
    if (index >= 0) all[index] = conversation;
    else all.unshift(conversation);
    this.write(all);
  }

  async remove(conversation: Conversation): Promise<void> {
    this.write((await this.load()).filter((c) => c.id !== conversation.id));
  }

  private write(all: Conversation[]): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(all));
    } catch {
      // Storage full or blocked: the conversation lives on in memory.
    }
  }
}

export interface ConversationsSnapshot {
  /** Conversations with at least one question, newest first. */
  readonly list: readonly Conversation[];
  /** The conversation on screen; a fresh one has no turns yet and is not in `list` until it does. */
  readonly active: Conversation;
}

export class ConversationStore extends SnapshotStore<ConversationsSnapshot> {
  constructor(private readonly repository: ConversationRepository = new SessionConversationRepository()) {
    super({ list: [], active: newConversation() });
  }

  async load(): Promise<void> {
    const loaded = await this.repository.load();
    const known = (s: ConversationsSnapshot, c: Conversation) =>
      s.list.some((x) => x.id === c.id || (c.serverId !== undefined && x.serverId === c.serverId));
    this.update((s) => ({ ...s, list: [...s.list, ...loaded.filter((c) => !known(s, c))] }));
  }

  get(id: string): Conversation | undefined {
    const s = this.getSnapshot();
    return s.active.id === id ? s.active : s.list.find((c) => c.id === id);
  }

  /** Forgets every conversation (sign out): the next user sees none of them. */
  clear(): void {
    this.set({ list: [], active: newConversation() });
  }

  /** Starts a fresh conversation, unless the one on screen is still empty. */
  startNew(): void {
    if (this.getSnapshot().active.turns.length === 0) return;
    this.update((s) => ({ ...s, active: newConversation() }));
  }

  /** The conversation with a run still going, when the one on screen is a fresh one: where a reload should land. */
  running(): Conversation | undefined {
    const s = this.getSnapshot();
    return s.active.turns.length === 0 ? s.list.find((c) => c.runningRunId !== undefined) : undefined;
  }

  /** Shows a conversation, fetching its turns if only its summary is known. */
  async select(id: string): Promise<void> {
    const found = this.getSnapshot().list.find((c) => c.id === id);
    if (!found) return;
    this.update((s) => ({ ...s, active: found }));
    if (found.loaded !== false) return;
    const full = await this.repository.get(found.id);
    if (full) this.update((s) => replace(s, id, { ...full, id, loaded: true }));
  }

  /** Gives a conversation another title, on the server too when it keeps the conversation. */
  async rename(id: string, title: string): Promise<void> {
    const current = this.get(id);
    const trimmed = title.trim();
    if (!current || !trimmed || trimmed === current.title) return;
    const next = { ...current, title: trimmed };
    if (this.repository.rename) await this.repository.rename(current, trimmed);
    else await this.repository.save(next);
    this.update((s) => replace(s, id, next));
  }

  /** Deletes a conversation (on the server too); the one on screen gives way to a new one. */
  async remove(id: string): Promise<void> {
    const current = this.get(id);
    if (!current) return;
    await this.repository.remove?.(current);
    this.update((s) => ({
      list: s.list.filter((c) => c.id !== id),
      active: s.active.id === id ? newConversation() : s.active,
    }));
  }

  addTurn(conversationId: string, turn: Turn): void {
    this.change(conversationId, (c) => ({
      ...c,
      title: c.turns.length === 0 ? titleOf(turn.prompt) : c.title,
      turns: [...c.turns, turn],
    }));
  }

  turnStarted(conversationId: string, turnId: string, runId: string, serverId: string): void {
    this.change(conversationId, (c) => ({
      ...c,
      serverId: c.serverId ?? serverId,
      turns: c.turns.map((t) => (t.id === turnId ? { ...t, runId } : t)),
    }));
  }

  turnFailed(conversationId: string, turnId: string, error: string): void {
    this.change(conversationId, (c) => ({ ...c, turns: c.turns.map((t) => (t.id === turnId ? { ...t, error } : t)) }));
  }

  private change(id: string, update: (c: Conversation) => Conversation): void {
    const current = this.get(id);
    if (!current) return;
    const next = update(current);
    this.update((s) => replace(s, id, next));
    void this.repository.save(next);
  }
}

function replace(s: ConversationsSnapshot, id: string, next: Conversation): ConversationsSnapshot {
  return {
    active: s.active.id === id ? next : s.active,
    list: s.list.some((c) => c.id === id)
      ? s.list.map((c) => (c.id === id ? next : c))
      : next.turns.length > 0
        ? [next, ...s.list]
        : s.list,
  };
}

export function newId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function newConversation(): Conversation {
  return { id: newId(), title: 'New conversation', createdAt: Date.now(), turns: [] };
}

function titleOf(prompt: string): string {
  const line = prompt.trim().split('\n')[0];
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

function safeSessionStorage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

/**
 * Conversations the server stores (GET /api/conversations and /api/conversations/{id}). The server
 * records runs itself, so saving is nothing to do. `fetch` is the auth store's, so requests carry the API key
 * and a 401 rejects with an `UnauthorizedError`.
 */
export class ServerConversationRepository implements ConversationRepository {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchJson: (url: string, init?: RequestInit) => Promise<Response> = (url, init) => fetch(url, init),
  ) {}

  async load(): Promise<Conversation[]> {
    const summaries = await this.request<ConversationSummary[]>('/api/conversations');
    return summaries.map((c) => ({
      id: c.id,
      serverId: c.id,
      title: c.title,
      createdAt: Date.parse(c.createdAt),
      turns: [],
      loaded: false,
      turnCount: c.runs,
      ...(c.runningRunId ? { runningRunId: c.runningRunId } : {}),
    }));
  }

  async get(id: string): Promise<Conversation | undefined> {
    try {
      const c = await this.request<ConversationDetail>(`/api/conversations/${encodeURIComponent(id)}`);
      return {
        id: c.id,
        serverId: c.id,
        title: c.title,
        createdAt: Date.parse(c.createdAt),
        loaded: true,
        turns: c.runs.map((run) => ({
          id: run.runId,
          prompt: run.prompt,
          runId: run.runId,
          sentAt: Date.parse(run.createdAt),
          workflow: run.workflow,
          models: run.models,
          status: run.status,
        })),
      };
    } catch {
      return undefined;
    }
  }

  save(): Promise<void> {
    return Promise.resolve();
  }

  async rename(conversation: Conversation, title: string): Promise<void> {
    if (!conversation.serverId) return;
    await this.change(`/api/conversations/${encodeURIComponent(conversation.serverId)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
  }

  async remove(conversation: Conversation): Promise<void> {
    if (!conversation.serverId) return;
    await this.change(`/api/conversations/${encodeURIComponent(conversation.serverId)}`, { method: 'DELETE' });
  }

  /** A change the server may refuse: rejects with its reason (e.g. 409: a run of the conversation is going). */
  private async change(path: string, init: RequestInit): Promise<void> {
    const response = await this.fetchJson(new URL(path, this.baseUrl).toString(), init);
    if (response.ok || response.status === 404) return;
    const problem = (await response.json().catch(() => undefined)) as { detail?: string } | undefined;
    throw new Error(problem?.detail ?? `HTTP ${response.status}`);
  }

  private async request<T>(path: string): Promise<T> {
    const response = await this.fetchJson(new URL(path, this.baseUrl).toString(), { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }
}

/** The server's conversations when it has them; this tab's session storage when it does not answer. */
export class FallbackConversationRepository implements ConversationRepository {
  private current: ConversationRepository;

  constructor(
    primary: ConversationRepository,
    private readonly fallback: ConversationRepository,
  ) {
    this.current = primary;
  }

  /** Falls back for good when the server keeps no conversations; a 401 only means "sign in first". */
  async load(): Promise<Conversation[]> {
    try {
      return await this.current.load();
    } catch (error) {
      if (isUnauthorized(error)) throw error;
      this.current = this.fallback;
      return this.current.load();
    }
  }

  get(id: string): Promise<Conversation | undefined> {
    return this.current.get(id);
  }

  save(conversation: Conversation): Promise<void> {
    return this.current.save(conversation);
  }

  async rename(conversation: Conversation, title: string): Promise<void> {
    if (this.current.rename) await this.current.rename(conversation, title);
    else await this.current.save({ ...conversation, title });
  }

  async remove(conversation: Conversation): Promise<void> {
    await this.current.remove?.(conversation);
  }
}
