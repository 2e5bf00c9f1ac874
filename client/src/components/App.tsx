import { useEffect, useRef, useState } from 'react';
import { useSession, useStore } from '../store/hooks';
import { Composer } from './Composer';
import { ConnectionBadge } from './ConnectionBadge';
import { ExportButton } from './ExportButton';
import { LeaderboardView } from './LeaderboardView';
import { OperationsView } from './OperationsView';
import { TurnView } from './RunView';
import { SettingsDialog } from './SettingsDialog';
import { Sidebar } from './Sidebar';
import { SignIn } from './SignIn';

/** The sign-in screen while the server wants an API key this tab does not have; else the council. */
export function App() {
  const session = useSession();
  const phase = useStore(session.auth, (s) => s.phase);
  return phase === 'required' || phase === 'checking' ? <SignIn /> : <CouncilApp signedIn={phase === 'signed-in'} />;
}

function CouncilApp({ signedIn }: { signedIn: boolean }) {
  const session = useSession();
  const conversation = useStore(session.conversations, (s) => s.active);
  const view = useStore(session.view, (s) => s);
  const operations = view === 'operations';
  const leaderboard = view === 'leaderboard';
  const elsewhere = view !== 'conversation';
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  const turns = conversation.turns.length;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (e.target instanceof Element && e.target.closest('dialog')) return;
      if (document.querySelector('.sidebar-open')) {
        setMenuOpen(false);
        return;
      }
      // Esc stops the runs on screen; the operations view shows none.
      if (session.view.getSnapshot() !== 'conversation') return;
      session.stopActive();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);

  // A new question scrolls to its start, so the run unfolds below it in view.
  useEffect(() => {
    const last = end.current?.previousElementSibling;
    if (turns > 0 && last) last.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [turns, conversation.id]);

  return (
    <div className="app">
      <Sidebar open={menuOpen} onClose={() => setMenuOpen(false)} />
      {menuOpen && <div className="sidebar-backdrop" aria-hidden="true" onClick={() => setMenuOpen(false)} />}
      <main className="main">
        <header className="topbar">
          <button
            type="button"
            className="btn btn-ghost menu-button"
            aria-label="Conversations"
            aria-expanded={menuOpen}
            aria-controls="conversations"
            onClick={() => setMenuOpen((o) => !o)}
          >
            <span className="menu-icon" aria-hidden="true" />
          </button>
          <h1 className="topbar-title">{operations ? 'Operations' : leaderboard ? 'Leaderboard' : conversation.turns.length > 0 ? conversation.title : 'New conversation'}</h1>
          <ConnectionBadge />
          {!elsewhere && conversation.serverId && <ExportButton conversationId={conversation.serverId} title={conversation.title} />}
          <button
            type="button"
            className="btn btn-ghost"
            aria-pressed={leaderboard}
            onClick={() => session.view.show(leaderboard ? 'conversation' : 'leaderboard')}
            title="The models ranked by the council’s votes and by your picks"
          >
            Leaderboard
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            aria-pressed={operations}
            onClick={() => session.view.show(operations ? 'conversation' : 'operations')}
            title="The server’s live figures (admins)"
          >
            Operations
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setSettingsOpen(true)} aria-label="Open council settings">
            Settings
          </button>
          {signedIn && (
            <button type="button" className="btn btn-ghost" onClick={() => void session.signOut()} title="Forget the API key in this tab">
              Sign out
            </button>
          )}
        </header>
        {operations && <OperationsView />}
        {leaderboard && <LeaderboardView />}
        {/* Hidden rather than unmounted: the conversation keeps its place, its lanes and the draft. */}
        <div className="conversation" aria-live="off" hidden={elsewhere}>
          {conversation.turns.length === 0 ? (
            <Welcome />
          ) : (
            conversation.turns.map((turn, i) => <TurnView key={turn.id} turn={turn} latest={i === conversation.turns.length - 1} />)
          )}
          <div ref={end} />
        </div>
        <Composer onOpenSettings={() => setSettingsOpen(true)} hidden={elsewhere} />
      </main>
      <SettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} />
    </div>
  );
}

function Welcome() {
  return (
    <div className="welcome">
      <h2>Ask once. Hear the whole council.</h2>
      <ol>
        <li>
          <strong>Answers</strong> — every model answers at the same time, streaming live.
        </li>
        <li>
          <strong>Reviews</strong> — each model ranks the others’ answers without knowing who wrote them.
        </li>
        <li>
          <strong>Synthesis</strong> — a chairman writes the final answer from all of it.
        </li>
      </ol>
      <p className="muted">Skip a slow model at any time; the others go on.</p>
    </div>
  );
}
