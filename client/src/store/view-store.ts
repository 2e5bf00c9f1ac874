import { SnapshotStore } from './snapshot-store';

/** What the main pane shows: the conversation, or the server's live operations (`#operations`). */
export type View = 'conversation' | 'operations';

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
      this.page.history.pushState(null, '', view === 'operations' ? `${pathname}${search}#operations` : `${pathname}${search}`);
    }
    this.set(view);
  }
}

function read(page: PageWindow | undefined): View {
  return page?.location.hash === '#operations' ? 'operations' : 'conversation';
}
