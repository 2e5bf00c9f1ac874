// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { ViewStore } from './view-store';

describe('ViewStore', () => {
  it('keeps the operations view in the hash, so a reload stays on it and Back returns to the conversation', async () => {
    history.replaceState(null, '', '/?protocol=messagepack');
    const view = new ViewStore(window);
    expect(view.getSnapshot()).toBe('conversation');

    view.show('operations');
    expect(view.getSnapshot()).toBe('operations');
    expect(location.search + location.hash).toBe('?protocol=messagepack#operations');
    expect(new ViewStore(window).getSnapshot()).toBe('operations');

    const popped = new Promise((resolve) => window.addEventListener('popstate', resolve, { once: true }));
    history.back();
    await popped;
    expect(view.getSnapshot()).toBe('conversation');
    expect(location.hash).toBe('');
  });
});
