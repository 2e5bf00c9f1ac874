import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CouncilEvent, StartRunRequest, StartRunResult } from '@council/contracts';
import type { ConnectionState, CouncilConnection } from '../council/connection';
import { AuthStore } from './auth-store';
import { ConversationStore, type Conversation, type ConversationRepository } from './conversations';
import { CouncilSession } from './council-session';
import { RunStore } from './run-store';
import { SettingsStore } from './settings-store';
import { councilPlan, EventScript } from './test-events';

class FakeConnection implements CouncilConnection {
  state: ConnectionState = 'connected';
  starts: StartRunRequest[] = [];
  resumes: { runId: string; afterSeq: number }[] = [];
  cancels: { runId: string; model: string; stage?: number }[] = [];
  startResult: (request: StartRunRequest) => Promise<StartRunResult> = async () => councilPlan(`r${this.starts.length}`);
  cancelResult: () => Promise<{ accepted: boolean }> = async () => ({ accepted: true });
  private events = new Set<(e: CouncilEvent) => void>();
  private states = new Set<(s: ConnectionState) => void>();

  onStateChange(cb: (s: ConnectionState) => void) {
    this.states.add(cb);
    return () => this.states.delete(cb);
  }
  onEvent(cb: (e: CouncilEvent) => void) {
    this.events.add(cb);
    return () => this.events.delete(cb);
  }
  on() {
    return () => {};
  }
  listModels = async () => [{ id: 'sim/a', provider: 'simulated' }];
  startRun(request: StartRunRequest) {
    this.starts.push(request);
    return this.startResult(request);
  }
  cancelModel(request: { runId: string; model: string; stage?: number }) {
    this.cancels.push(request);
    return this.cancelResult();
  }
  cancelRun = async () => ({ accepted: true });
  resumeRun = async (request: { runId: string; afterSeq: number }) => {
    this.resumes.push(request);
    return { runId: request.runId, lastSeq: request.afterSeq, status: 'running' as const };
  };
  close = async () => {};
  emit(event: CouncilEvent) {
    for (const cb of this.events) cb(event);
  }
  setState(state: ConnectionState) {
    this.state = state;
    for (const cb of this.states) cb(state);
  }
}

const memoryRepository = (): ConversationRepository => {
  const saved: Conversation[] = [];
  return { load: async () => saved, get: async (id) => saved.find((c) => c.id === id), save: async (c) => void saved.push(c) };
};

async function startSession(
  fake: FakeConnection | FakeConnection[] = new FakeConnection(),
  settings?: Partial<ReturnType<SettingsStore['getSnapshot']>>,
) {
  const connections = Array.isArray(fake) ? [...fake] : [fake];
  const first = connections[0];
  const storage = new Map<string, string>();
  const settingsStore = new SettingsStore({ getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) });
  if (settings) settingsStore.change(settings);
  const session = new CouncilSession({
    url: 'http://127.0.0.1/hubs/council',
    connect: async () => connections.shift() ?? first,
    retryDelaysMs: [0],
    runs: new RunStore((cb) => {
      const t = setTimeout(cb, 0);
      return () => clearTimeout(t);
    }),
    settings: settingsStore,
    conversations: new ConversationStore(memoryRepository()),
  });
  session.start();
  await vi.waitFor(() => expect(session.connection.getSnapshot().state).toBe('connected'));
  return { session, fake: first };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('CouncilSession', () => {
  it('asks with the chosen council, and follow-ups carry the conversation id', async () => {
    const { session, fake } = await startSession(undefined, { models: ['sim/a', 'sim/b'], chairman: 'sim/c', workflow: 'council' });
    await session.ask('  First?  ');
    expect(fake.starts[0]).toEqual({ prompt: 'First?', workflow: 'council', models: ['sim/a', 'sim/b'], chairman: 'sim/c' });
    await session.ask('Second?');
    expect(fake.starts[1].conversationId).toBe('c1');
    const turns = session.conversations.getSnapshot().active.turns;
    expect(turns.map((t) => t.runId)).toEqual(['r1', 'r2']);
    expect(session.runs.getSnapshot().r1.stages[0].models).toEqual(['sim/a', 'sim/b', 'sim/c']);
    expect(session.connection.getSnapshot().models).toEqual([{ id: 'sim/a', provider: 'simulated' }]);
  });

  it('lets a follow-up sent before the first run was accepted wait for its conversation id', async () => {
    const fake = new FakeConnection();
    let accept: (r: StartRunResult) => void = () => {};
    fake.startResult = () => new Promise((resolve) => (accept = resolve));
    const { session } = await startSession(fake);
    const first = session.ask('One');
    fake.startResult = async () => ({ ...councilPlan('r2'), conversationId: 'c1' });
    const second = session.ask('Two');
    await Promise.resolve();
    expect(fake.starts).toHaveLength(1);
    accept(councilPlan('r1'));
    await Promise.all([first, second]);
    expect(fake.starts[1].conversationId).toBe('c1');
  });

  it('shows why the hub refused a run, in words for a person', async () => {
    const fake = new FakeConnection();
    fake.startResult = async () => {
      throw new Error("An unexpected error occurred invoking 'start_run' on the server. HubException: Unknown model 'sim/'.");
    };
    const { session } = await startSession(fake);
    await session.ask('Hello');
    expect(session.conversations.getSnapshot().active.turns[0].error).toBe('Unknown model: sim/. Pick one from the list.');
  });

  it('shows a skip at once and takes it back if the hub call fails', async () => {
    const { session, fake } = await startSession();
    await session.ask('Q');
    const s = new EventScript('r1');
    fake.emit(s.start(0, 'sim/a'));
    fake.emit(s.token(0, 'sim/a', 'partial'));
    session.runs.flush();

    fake.cancelResult = () => Promise.reject(new Error('connection lost'));
    const skipping = session.skip('r1', 0, 'sim/a');
    expect(session.runs.getSnapshot().r1.stages[0].lanes['sim/a'].status).toBe('cancelled');
    await skipping;
    expect(session.runs.getSnapshot().r1.stages[0].lanes['sim/a'].status).toBe('streaming');
    expect(fake.cancels).toEqual([{ runId: 'r1', model: 'sim/a', stage: 0 }]);
  });

  it('shows the server’s words when it refuses a skip or a stop (a limit), until the next try', async () => {
    const { session, fake } = await startSession();
    await session.ask('Q');
    const s = new EventScript('r1');
    fake.emit(s.start(0, 'sim/a'));
    session.runs.flush();
    const limit = "An unexpected error occurred invoking 'cancel_model' on the server. HubException: Too many calls on this connection: at most 20 per second. Retry in a second.";
    fake.cancelResult = () => Promise.reject(new Error(limit));
    await session.skip('r1', 0, 'sim/a');
    expect(session.runs.getSnapshot().r1.actionError).toBe('Could not skip sim/a: Too many calls on this connection: at most 20 per second. Retry in a second.');
    fake.cancelRun = () => Promise.reject(new Error(limit.replace('cancel_model', 'cancel_run')));
    await session.stop('r1');
    expect(session.runs.getSnapshot().r1).toMatchObject({ stopRequested: false, actionError: expect.stringMatching(/^Could not stop the run: Too many calls/) });
    fake.cancelResult = async () => ({ accepted: true });
    await session.skip('r1', 0, 'sim/a');
    expect(session.runs.getSnapshot().r1.actionError).toBeUndefined();
  });

  it('leaves resuming after a reconnect to the client, and resumes unfinished runs on a new connection', async () => {
    const replacement = new FakeConnection();
    const { session, fake } = await startSession([new FakeConnection(), replacement]);
    await session.ask('Q');
    const s = new EventScript('r1');
    fake.emit(s.start(0, 'sim/a'));
    fake.emit(s.token(0, 'sim/a', 'x'));
    fake.setState('reconnecting');
    expect(session.connection.getSnapshot().state).toBe('reconnecting');
    fake.setState('connected');
    expect(fake.resumes).toEqual([]);

    fake.setState('disconnected');
    await vi.waitFor(() => expect(replacement.resumes).toEqual([{ runId: 'r1', afterSeq: 2 }]));
    expect(session.connection.getSnapshot().state).toBe('connected');
  });

  it('marks a run lost when the client can no longer follow it, but not when only the connection closed', async () => {
    const fake = new FakeConnection();
    let report: (e: { runId: string; reason: string; message: string }) => void = () => {};
    Object.assign(fake, { onRunError: (h: typeof report) => ((report = h), () => {}) });
    const { session } = await startSession(fake);
    await session.ask('Q1');
    await session.ask('Q2');
    report({ runId: 'r1', reason: 'connection_closed', message: 'lost the connection' });
    report({ runId: 'r2', reason: 'interrupted', message: 'the server stopped during the run' });
    expect(session.runs.getSnapshot().r1.status).toBe('running');
    expect(session.runs.getSnapshot().r2).toMatchObject({ status: 'interrupted', error: 'the server stopped during the run' });
  });

  it('replays a run it only knows by id (after a reload) from the start', async () => {
    const { session, fake } = await startSession();
    session.ensureRun('old', 'An earlier question');
    await vi.waitFor(() => expect(fake.resumes).toEqual([{ runId: 'old', afterSeq: 0 }]));
    expect(session.runs.getSnapshot().old).toMatchObject({ prompt: 'An earlier question', replayed: true });
    session.ensureRun('old', 'An earlier question');
    expect(fake.resumes).toHaveLength(1);
  });

  it('keeps retrying while the server cannot be reached', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const session = new CouncilSession({
      url: 'http://127.0.0.1/hubs/council',
      connect: async () => {
        attempts++;
        throw new Error('connect ECONNREFUSED');
      },
      settings: new SettingsStore(undefined),
      conversations: new ConversationStore(memoryRepository()),
      retryDelaysMs: [100, 200],
    });
    session.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.connection.getSnapshot()).toMatchObject({ state: 'disconnected', error: 'connect ECONNREFUSED' });
    await vi.advanceTimersByTimeAsync(100);
    expect(attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(attempts).toBe(3);
    await session.dispose();
  });
});

describe('CouncilSession with a server that wants an API key', () => {
  const unauthorized = () => Object.assign(new Error("cannot connect: Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'"), { statusCode: 401, unauthorized: true });

  function keyedSession(goodKey = 'good-key', stored?: string) {
    const storage = new Map<string, string>(stored ? [['council.apiKey', stored]] : []);
    const auth = new AuthStore({ getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v), removeItem: (k) => void storage.delete(k) });
    const tokens: string[] = [];
    const connections: FakeConnection[] = [];
    const loads: number[] = [];
    const repository = memoryRepository();
    const session = new CouncilSession({
      url: 'http://127.0.0.1/hubs/council',
      connect: async (_url, accessToken) => {
        tokens.push(accessToken());
        if (accessToken() !== goodKey) throw unauthorized();
        const c = new FakeConnection();
        connections.push(c);
        return c;
      },
      retryDelaysMs: [0],
      auth,
      settings: new SettingsStore(undefined),
      conversations: new ConversationStore({ ...repository, load: async () => (loads.push(loads.length), repository.load()) }),
    });
    return { session, auth, tokens, connections, loads, storage };
  }

  it('asks for a key instead of retrying, and connects with the key the user enters', async () => {
    const { session, tokens, connections, loads } = keyedSession();
    session.start();
    await vi.waitFor(() => expect(session.auth.getSnapshot()).toEqual({ phase: 'required' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tokens).toEqual(['']);
    expect(session.connection.getSnapshot()).toMatchObject({ state: 'disconnected', error: 'The server needs an API key.' });

    session.signIn('good-key');
    expect(session.auth.getSnapshot().phase).toBe('checking');
    await vi.waitFor(() => expect(session.connection.getSnapshot().state).toBe('connected'));
    expect(session.auth.getSnapshot()).toEqual({ phase: 'signed-in' });
    expect(tokens).toEqual(['', 'good-key']);
    expect(connections).toHaveLength(1);
    expect(loads.length).toBe(2); // once at start, once for the new key
  });

  it('says a wrong key was not accepted', async () => {
    const { session } = keyedSession();
    session.start();
    await vi.waitFor(() => expect(session.auth.getSnapshot().phase).toBe('required'));
    session.signIn('bad-key');
    await vi.waitFor(() => expect(session.auth.getSnapshot()).toEqual({ phase: 'required', error: 'That API key was not accepted. Check it and try again.' }));
    expect(session.auth.key).toBeUndefined();
  });

  it('uses the key saved in this tab at once: no sign-in after a reload', async () => {
    const { session, tokens } = keyedSession('good-key', 'good-key');
    session.start();
    await vi.waitFor(() => expect(session.connection.getSnapshot().state).toBe('connected'));
    expect(session.auth.getSnapshot().phase).toBe('signed-in');
    expect(tokens).toEqual(['good-key']);
  });

  it('signs out: the connection closes, the user’s runs and conversations are gone, and the key is asked for again', async () => {
    const { session, connections, storage } = keyedSession('good-key', 'good-key');
    session.start();
    await vi.waitFor(() => expect(session.connection.getSnapshot().state).toBe('connected'));
    await session.ask('Private question');
    expect(Object.keys(session.runs.getSnapshot())).toEqual(['r1']);
    const closed = vi.spyOn(connections[0], 'close');

    await session.signOut();
    expect(closed).toHaveBeenCalled();
    expect(session.runs.getSnapshot()).toEqual({});
    expect(session.conversations.getSnapshot().list).toEqual([]);
    expect(session.conversations.getSnapshot().active.turns).toEqual([]);
    expect(storage.size).toBe(0);
    await vi.waitFor(() => expect(session.connection.getSnapshot().error).toBe('The server needs an API key.'));
    expect(session.auth.getSnapshot()).toEqual({ phase: 'required' });
  });

  it('in a server without keys (None mode) never asks', async () => {
    const { session } = keyedSession('');
    session.start();
    await vi.waitFor(() => expect(session.connection.getSnapshot().state).toBe('connected'));
    expect(session.auth.getSnapshot()).toEqual({ phase: 'open' });
  });
});
