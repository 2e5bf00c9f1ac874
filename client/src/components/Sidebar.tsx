import { useState } from 'react';
import { useSession, useStore } from '../store/hooks';
import { ConversationEntry } from './ConversationEntry';

/**
 * This session's conversations, newest first, and a way to start another. On a phone it is a drawer the
 * "Conversations" button opens (`open`); choosing closes it.
 */
export function Sidebar({ open = false, onClose = () => {} }: { open?: boolean; onClose?: () => void }) {
  const { conversations, view } = useSession();
  const list = useStore(conversations, (s) => s.list);
  const active = useStore(conversations, (s) => s.active);
  const [query, setQuery] = useState('');
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = words.length ? list.filter((c) => words.every((w) => c.title.toLowerCase().includes(w))) : list;
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
      <input
        type="search"
        className="conversation-search"
        placeholder="Search conversations"
        aria-label="Search conversations"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <ul className="conversation-list">
        {active.turns.length === 0 && (
          <li>
            <button type="button" className="conversation-item" aria-current="page">
              New conversation
            </button>
          </li>
        )}
        {shown.map((c) => (
          <li key={c.id}>
            <ConversationEntry conversation={c} current={c.id === active.id} onSelect={() => select(c.id)} />
          </li>
        ))}
        {words.length > 0 && shown.length === 0 && <li className="muted conversation-none">No conversation matches “{query.trim()}”.</li>}
      </ul>
    </nav>
  );
}
