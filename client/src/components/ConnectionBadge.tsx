import { useNow, useSession, useStore } from '../store/hooks';
import { useBeat } from './beat';

/** Connected, reconnecting or offline, always in view. */
export function ConnectionBadge() {
  const { connection } = useSession();
  const state = useStore(connection, (s) => s.state);
  const retryAt = useStore(connection, (s) => s.retryAt);
  const error = useStore(connection, (s) => s.error);
  useNow(1000, state === 'disconnected');
  useBeat(state === 'connecting' || state === 'reconnecting');
  const label =
    state === 'connected'
      ? 'Connected'
      : state === 'connecting'
        ? 'Connecting…'
        : state === 'reconnecting'
          ? 'Reconnecting…'
          : retryAt && retryAt > Date.now()
            ? `Offline · retrying in ${Math.ceil((retryAt - Date.now()) / 1000)} s`
            : 'Offline · retrying…';
  return (
    <span className={`connection connection-${state}`} role="status" aria-live="polite" title={error} data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
