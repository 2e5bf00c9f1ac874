import { SnapshotStore } from './snapshot-store';

/**
 * - `unknown`: the server has not answered yet.
 * - `open`: it needs no key (auth mode None): no sign-in, nothing changes.
 * - `required`: it wants an API key and this tab has none that works: the sign-in screen.
 * - `checking`: trying the key just entered.
 * - `signed-in`: the key works; the user may sign out.
 */
export type AuthPhase = 'unknown' | 'open' | 'required' | 'checking' | 'signed-in';

export interface AuthSnapshot {
  readonly phase: AuthPhase;
  /** Why the last key was refused, for the sign-in screen. */
  readonly error?: string;
}

/** The server refused a request for want of a valid API key (HTTP 401). */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * The API key of this tab, for servers in ApiKeys mode. Kept in sessionStorage, so a reload stays signed in
 * and closing the tab forgets it. The hub connection asks for it before every (re)connection, and
 * {@link AuthStore.fetch} adds it to `/api` requests. A 401 from either clears it and asks the user to sign in.
 */
export class AuthStore extends SnapshotStore<AuthSnapshot> {
  private current: string | undefined;

  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = safeSessionStorage(),
    private readonly fetchImpl: Fetch = (url, init) => globalThis.fetch(url, init),
    private readonly storageKey = 'council.apiKey',
  ) {
    super({ phase: 'unknown' });
    try {
      this.current = storage?.getItem(storageKey) || undefined;
    } catch {
      this.current = undefined;
    }
  }

  /** The key to send, if any. */
  get key(): string | undefined {
    return this.current;
  }

  /** `fetch` with the key as `Authorization: Bearer`; a 401 rejects with {@link UnauthorizedError} and asks for a key. */
  readonly fetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const sent = this.current;
    const headers = new Headers(init.headers);
    if (sent) headers.set('Authorization', `Bearer ${sent}`);
    const response = await this.fetchImpl(url, { ...init, headers });
    if (response.status === 401) {
      this.rejected(sent);
      throw new UnauthorizedError(`${new URL(url, 'http://x').pathname}: the server wants a valid API key (HTTP 401)`);
    }
    return response;
  };

  /** The user entered a key: keep it for this tab and try it. */
  submit(key: string): void {
    const trimmed = key.trim();
    if (!trimmed) {
      this.set({ phase: 'required', error: 'Enter your API key.' });
      return;
    }
    this.store(trimmed);
    this.set({ phase: 'checking' });
  }

  /** The server accepted a connection made with `sent` (the key at the time, or none). */
  accepted(sent: string | undefined): void {
    if (sent !== this.current) return;
    this.set({ phase: sent ? 'signed-in' : 'open' });
  }

  /** The server answered 401 to a request made with `sent`. Answers to a key no longer in use change nothing. */
  rejected(sent: string | undefined): void {
    if (sent !== this.current) return;
    const { phase, error } = this.getSnapshot();
    if (!sent) {
      if (phase !== 'required') this.set({ phase: 'required', error });
      return;
    }
    this.store(undefined);
    this.set({
      phase: 'required',
      error: phase === 'checking'
        ? 'That API key was not accepted. Check it and try again.'
        : 'Your API key is no longer accepted (it may have expired or been revoked). Sign in again.',
    });
  }

  /** Forgets the key. */
  signOut(): void {
    this.store(undefined);
    this.set({ phase: 'required' });
  }

  private store(key: string | undefined): void {
    this.current = key;
    try {
      if (key) this.storage?.setItem(this.storageKey, key);
      else this.storage?.removeItem(this.storageKey);
    } catch {
      // Storage blocked: the key lives in memory until the tab closes.
    }
  }
}

function safeSessionStorage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}
