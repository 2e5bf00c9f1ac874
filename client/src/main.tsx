import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectCouncil } from './council/connection';
import { App } from './components/App';
import { CouncilSession } from './store/council-session';
import { SessionContext } from './store/hooks';
import './styles.css';

const session = new CouncilSession({ url: new URL('/hubs/council', window.location.origin).toString(), connect: connectCouncil });
session.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionContext.Provider value={session}>
      <App />
    </SessionContext.Provider>
  </StrictMode>,
);
