import { describe, expect, it } from 'vitest';
import { AuthStore, UnauthorizedError } from './auth-store';

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

function recordingFetch(status = 200) {
  const calls: { url: string; authorization: string | null; accept: string | null }[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({ url, authorization: headers.get('authorization'), accept: headers.get('accept') });
    return new Response('[]', { status });
  };
  return { calls, fetch };
}

describe('AuthStore', () => {
  it('keeps an entered key in session storage, so a reload is still signed in', () => {
    const storage = memoryStorage();
    const auth = new AuthStore(storage);
    auth.submit('  secret-key  ');
    expect(auth.getSnapshot()).toEqual({ phase: 'checking' });
    auth.accepted('secret-key');
    expect(auth.getSnapshot()).toEqual({ phase: 'signed-in' });
    expect(storage.map.get('council.apiKey')).toBe('secret-key');
    expect(new AuthStore(storage).key).toBe('secret-key');
  });

  it('is open, with no sign-in, when the server accepts requests without a key', () => {
    const auth = new AuthStore(memoryStorage());
    auth.accepted(undefined);
    expect(auth.getSnapshot()).toEqual({ phase: 'open' });
  });

  it('says a key entered was not accepted, and forgets it', () => {
    const storage = memoryStorage();
    const auth = new AuthStore(storage);
    auth.submit('wrong');
    auth.rejected('wrong');
    expect(auth.getSnapshot()).toEqual({ phase: 'required', error: 'That API key was not accepted. Check it and try again.' });
    expect(auth.key).toBeUndefined();
    expect(storage.map.has('council.apiKey')).toBe(false);
  });

  it('says a saved key is no longer accepted', () => {
    const auth = new AuthStore(memoryStorage({ 'council.apiKey': 'revoked' }));
    auth.rejected('revoked');
    expect(auth.getSnapshot().error).toMatch(/no longer accepted/);
    // The server's other 401 for the same key, arriving later, changes nothing.
    auth.rejected('revoked');
    auth.rejected(undefined);
    expect(auth.getSnapshot()).toMatchObject({ phase: 'required', error: expect.stringMatching(/no longer accepted/) });
  });

  it('ignores answers about a key that is no longer in use', () => {
    const auth = new AuthStore(memoryStorage());
    auth.submit('new-key');
    auth.rejected(undefined); // the attempt without a key, made before the user signed in
    auth.accepted(undefined);
    expect(auth.getSnapshot()).toEqual({ phase: 'checking' });
  });

  it('asks for a key rather than trying an empty one', () => {
    const auth = new AuthStore(memoryStorage());
    auth.submit('   ');
    expect(auth.getSnapshot()).toEqual({ phase: 'required', error: 'Enter your API key.' });
  });

  it('signs out: the key is gone from the tab', () => {
    const storage = memoryStorage({ 'council.apiKey': 'k' });
    const auth = new AuthStore(storage);
    auth.accepted('k');
    auth.signOut();
    expect(auth.getSnapshot()).toEqual({ phase: 'required' });
    expect(auth.key).toBeUndefined();
    expect(storage.map.size).toBe(0);
  });

  it('sends the key on fetches as a bearer token, keeping the other headers', async () => {
    const { calls, fetch } = recordingFetch();
    const auth = new AuthStore(memoryStorage({ 'council.apiKey': 'k1' }), fetch);
    await auth.fetch('http://127.0.0.1/api/conversations', { headers: { accept: 'application/json' } });
    expect(calls).toEqual([{ url: 'http://127.0.0.1/api/conversations', authorization: 'Bearer k1', accept: 'application/json' }]);
    const none = recordingFetch();
    await new AuthStore(memoryStorage(), none.fetch).fetch('http://127.0.0.1/api/conversations');
    expect(none.calls[0].authorization).toBeNull();
  });

  it('turns a 401 into an UnauthorizedError and asks for a key', async () => {
    const { fetch } = recordingFetch(401);
    const auth = new AuthStore(memoryStorage(), fetch);
    await expect(auth.fetch('http://127.0.0.1/api/conversations')).rejects.toBeInstanceOf(UnauthorizedError);
    expect(auth.getSnapshot()).toEqual({ phase: 'required' });
  });
});
