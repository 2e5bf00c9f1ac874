import { useEffect, useRef, useState } from 'react';
import { useSession, useStore } from '../store/hooks';

/** Asks for the API key when the server wants one (ApiKeys mode); the key is kept for this tab only. */
export function SignIn() {
  const session = useSession();
  const phase = useStore(session.auth, (s) => s.phase);
  const error = useStore(session.auth, (s) => s.error);
  // While a key is being tried, a server that cannot be reached says so here (the badge is not on screen).
  const offline = useStore(session.connection, (s) => (s.state === 'disconnected' && s.retryAt ? s.error : undefined));
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const checking = phase === 'checking';

  // A refused key: back to the field, its text selected, ready to be corrected or replaced.
  useEffect(() => {
    if (error && !checking) {
      input.current?.focus();
      input.current?.select();
    }
  }, [error, checking]);

  return (
    <main className="sign-in">
      <form
        className="sign-in-card"
        aria-labelledby="sign-in-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (!checking) session.signIn(key);
        }}
      >
        <h1 id="sign-in-title">Sign in to Council</h1>
        <p className="muted">This server needs an API key. Ask whoever runs it for one.</p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          ref={input}
          type="password"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          autoFocus
          readOnly={checking}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'api-key-error api-key-note' : 'api-key-note'}
        />
        {error && (
          <p id="api-key-error" className="sign-in-error" role="alert">
            {error}
          </p>
        )}
        {checking && offline && (
          <p className="sign-in-error" role="alert">
            Cannot reach the server: {offline.replace(/\.?$/, '.')} Retrying…
          </p>
        )}
        <p id="api-key-note" className="field-note muted">
          Kept in this browser tab only (session storage) until you sign out or close the tab.
        </p>
        <button type="submit" className="btn btn-primary" disabled={checking || !key.trim()}>
          {checking ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
