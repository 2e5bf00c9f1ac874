import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectFromPage } from './council/connect';
import { App } from './components/App';
import {
  ConversationStore,
  FallbackConversationRepository,
  ServerConversationRepository,
  SessionConversationRepository,
} from './store/conversations';
import { AuthStore } from './store/auth-store';
import { CouncilSession } from './store/council-session';
import { SessionContext } from './store/hooks';
import { ViewStore } from './store/view-store';
import './styles.css';

const auth = new AuthStore();
const conversations = new ConversationStore(
  new FallbackConversationRepository(new ServerConversationRepository(window.location.origin, auth.fetch), new SessionConversationRepository()),
);
const session = new CouncilSession({
  url: new URL('/hubs/council', window.location.origin).toString(),
  connect: connectFromPage(window.location),
  conversations,
  auth,
  view: new ViewStore(),
});
session.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionContext.Provider value={session}>
      <App />
    </SessionContext.Provider>
  </StrictMode>,
);
