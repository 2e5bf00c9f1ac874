import { useState } from 'react';
import { useSession, useStore } from '../store/hooks';
import { isActive } from '../store/run-state';
import type { Conversation } from '../store/conversations';
import { Pulse } from './beat';

/** A conversation in the sidebar: open it, rename it in place, or delete it (asks first). */
export function ConversationEntry({ conversation, current, onSelect }: { conversation: Conversation; current: boolean; onSelect: () => void }) {
  const { runs, conversations } = useSession();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string>();
  const count = conversation.loaded === false ? conversation.turnCount ?? 0 : conversation.turns.length;
  // Its runs on this page that are going, or (a reload) the one the server's list says is going, until its events say otherwise.
  const running = useStore(runs, (s) => {
    const listed = conversation.runningRunId;
    if (listed !== undefined && (s[listed] === undefined || isActive(s[listed]))) return true;
    return conversation.turns.some((t) => t.runId !== undefined && s[t.runId] !== undefined && isActive(s[t.runId]));
  });
  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));

  if (editing) {
    return (
      <form
        className="conversation-rename"
        onSubmit={(e) => {
          e.preventDefault();
          const title = new FormData(e.currentTarget).get('title')?.toString() ?? '';
          setEditing(false);
          conversations.rename(conversation.id, title).catch(fail);
        }}
      >
        <input
          name="title"
          aria-label="New title"
          defaultValue={conversation.title}
          maxLength={200}
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              setEditing(false);
            }
          }}
          onBlur={(e) => e.currentTarget.form?.requestSubmit()}
        />
      </form>
    );
  }
  return (
    <div className="conversation-entry">
      <button type="button" className="conversation-item" aria-current={current ? 'page' : undefined} onClick={onSelect} title={conversation.title}>
        <span className="conversation-title">{conversation.title}</span>
        <span className="conversation-meta">
          {running && (
            <span className="conversation-running">
              <Pulse />
              running ·
            </span>
          )}
          {count} {count === 1 ? 'question' : 'questions'}
        </span>
      </button>
      <span className="conversation-actions">
        <button type="button" className="btn btn-ghost btn-small" aria-label="Rename conversation" title={`Rename “${conversation.title}”`} onClick={() => { setError(undefined); setEditing(true); }}>
          ✎
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-label="Delete conversation"
          title={`Delete “${conversation.title}”`}
          onClick={() => {
            setError(undefined);
            if (window.confirm(`Delete “${conversation.title}” and all its runs?`)) conversations.remove(conversation.id).catch(fail);
          }}
        >
          🗑
        </button>
      </span>
      {error && (
        <p className="lane-error conversation-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
