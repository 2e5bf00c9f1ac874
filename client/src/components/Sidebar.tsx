import { useSession, useStore } from '../store/hooks';
import { isActive } from '../store/run-state';
import type { Conversation } from '../store/conversations';

/**
 * This session's conversations, newest first, and a way to start another. On a phone it is a drawer the
 * "Conversations" button opens (`open`); choosing closes it.
 */
export function Sidebar({ open = false, onClose = () => {} }: { open?: boolean; onClose?: () => void }) {
  const { conversations, view } = useSession();
  const list = useStore(conversations, (s) => s.list);
  const active = useStore(conversations, (s) => s.active);
  // Choosing a conversation leaves the operations view.
  const startNew = () => {
    conversations.startNew();
    view.show('conversation');
    onClose();
  };
  const select = (id: string) => {
    view.show('conversation');
    void conversations.select(id);
    onClose();
  };
  return (
    <nav id="conversations" className={`sidebar${open ? ' sidebar-open' : ''}`} aria-label="Conversations">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          <i />
          <i />
          <i />
        </span>
        Council
      </div>
      <button type="button" className="btn btn-primary new-conversation" onClick={startNew}>
        + New conversation
      </button>
      <ul className="conversation-list">
        {active.turns.length === 0 && (
          <li>
            <button type="button" className="conversation-item" aria-current="page">
              New conversation
            </button>
          </li>
        )}
        {list.map((c) => (
          <li key={c.id}>
            <ConversationItem conversation={c} current={c.id === active.id} onSelect={() => select(c.id)} />
          </li>
        ))}
      </ul>
    </nav>
  );
}

function ConversationItem({ conversation, current, onSelect }: { conversation: Conversation; current: boolean; onSelect: () => void }) {
  const { runs } = useSession();
  const count = conversation.loaded === false ? conversation.turnCount ?? 0 : conversation.turns.length;
  // Its runs on this page that are going, or (a reload) the one the server's list says is going, until its events say otherwise.
  const running = useStore(runs, (s) => {
    const listed = conversation.runningRunId;
    if (listed !== undefined && (s[listed] === undefined || isActive(s[listed]))) return true;
    return conversation.turns.some((t) => t.runId !== undefined && s[t.runId] !== undefined && isActive(s[t.runId]));
  });
  return (
    <button type="button" className="conversation-item" aria-current={current ? 'page' : undefined} onClick={onSelect} title={conversation.title}>
      <span className="conversation-title">{conversation.title}</span>
      <span className="conversation-meta">
        {running && (
          <span className="conversation-running">
            <span className="pulse" aria-hidden="true" />
            running ·
          </span>
        )}
        {count} {count === 1 ? 'question' : 'questions'}
      </span>
    </button>
  );
}
