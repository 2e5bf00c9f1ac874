import { SnapshotStore } from './snapshot-store';

/** What the main pane shows: the conversation, the server's live operations (`#operations`), or the leaderboard (`#leaderboard`). */
export type View = 'conversation' | 'operations' | 'leaderboard';

type PageWindow = Pick<Window, 'location' | 'history' | 'addEventListener'>;

/**
 * The view on screen, kept in the URL's hash so a reload stays on it and the browser's Back button
 * returns to the conversation.
 */
export class ViewStore extends SnapshotStore<View> {
  constructor(private readonly page: PageWindow | undefined = typeof window === 'undefined' ? undefined : window) {
    super(read(page));
    page?.addEventListener('popstate', () => this.set(read(page)));
    page?.addEventListener('hashchange', () => this.set(read(page)));
  }

  show(view: View): void {
    if (view === this.getSnapshot()) return;
    if (this.page) {
      const { pathname, search } = this.page.location;
      this.page.history.pushState(null, '', view === 'conversation' ? `${pathname}${search}` : `${pathname}${search}#${view}`);
    }
    this.set(view);
  }
}

function read(page: PageWindow | undefined): View {
  const hash = page?.location.hash;
  return hash === '#operations' ? 'operations' : hash === '#leaderboard' ? 'leaderboard' : 'conversation';
}
