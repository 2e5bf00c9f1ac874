import { useRef, useState } from 'react';
import { useSession, useStore } from '../store/hooks';
import { isActive } from '../store/run-state';
import { formatCount, modelName } from './format';

/** Where the question is typed: Enter sends, Shift+Enter starts a new line, Esc stops. */
export function Composer({ onOpenSettings, hidden = false }: { onOpenSettings: () => void; hidden?: boolean }) {
  const session = useSession();
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const connected = useStore(session.connection, (s) => s.state === 'connected');
  const settings = useStore(session.settings, (s) => s);
  const running = useStore(session.runs, (runs) =>
    session.conversations.getSnapshot().active.turns.some((t) => t.runId !== undefined && runs[t.runId] !== undefined && isActive(runs[t.runId])),
  );
  // `running` reads the conversation on screen: re-render when it changes too.
  useStore(session.conversations, (s) => s.active);
  const hasTurns = useStore(session.conversations, (s) => s.active.turns.length > 0);
  const limit = useStore(session.connection, (s) => s.limits?.maxPromptChars);
  // The server counts the prompt as sent: trimmed, in UTF-16 code units.
  const length = text.trim().length;
  const tooLong = limit !== undefined && length > limit;

  const send = () => {
    if (!text.trim() || !connected || tooLong) return;
    void session.ask(text);
    setText('');
    ref.current?.focus();
  };

  const council =
    settings.models.length > 0 ? `${settings.models.length} models: ${settings.models.map(modelName).join(', ')}` : 'the default council';
  return (
    <form
      className="composer"
      hidden={hidden}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label htmlFor="question" className="visually-hidden">
        Your question
      </label>
      <textarea
        id="question"
        ref={ref}
        value={text}
        rows={Math.min(8, Math.max(2, text.split('\n').length))}
        placeholder={hasTurns ? 'Ask a follow-up…' : 'Ask the council a question…'}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          }
        }}
        autoFocus
        aria-invalid={tooLong || undefined}
        aria-describedby="question-length"
      />
      {limit !== undefined && length > 0 && (
        <p id="question-length" className={`composer-length${tooLong ? ' composer-length-over' : ''}`} aria-live="polite">
          {tooLong
            ? `${formatCount(length)} / ${formatCount(limit)} characters: ${formatCount(length - limit)} too many for the server. Shorten the question to send it.`
            : `${formatCount(length)} / ${formatCount(limit)} characters`}
        </p>
      )}
      <div className="composer-bar">
        <button type="button" className="btn btn-link composer-council" onClick={onOpenSettings} aria-label="Council settings">
          Asking {council}
          {settings.chairman ? ` · chairman ${modelName(settings.chairman)}` : ''}
          {settings.workflow !== 'council' ? ` · ${settings.workflow}` : ''}
          {settings.search ? ' · web search' : ''}
          {settings.quorumAnswers > 0 || settings.quorumDeadlineMs > 0 ? ' · quorum' : ''}
        </button>
        <span className="composer-hint" aria-hidden="true">
          Enter to send · Shift+Enter new line · Esc stops
        </span>
        {running && (
          <button type="button" className="btn btn-danger" onClick={() => session.stopActive()} aria-label="Stop the running council">
            Stop
          </button>
        )}
        <button type="submit" className="btn btn-primary" disabled={!connected || !text.trim() || tooLong} aria-label="Send question">
          Send
        </button>
      </div>
    </form>
  );
}
