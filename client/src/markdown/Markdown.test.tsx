// @vitest-environment jsdom
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it, vi } from 'vitest';
import { Markdown } from './Markdown';
import { renderMarkdown } from './render';

vi.mock('./render', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./render')>();
  return { renderMarkdown: vi.fn(actual.renderMarkdown) };
});

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe('<Markdown>', () => {
  it('renders each finished block once while the text streams; only the last block re-renders', () => {
    const rendered = vi.mocked(renderMarkdown);
    const container = document.createElement('div');
    const root = createRoot(container);
    const full = '# Title\n\nFirst paragraph.\n\n```js\nlet x = 1;\n```\n\n- one\n- two\n\nLast words';
    const steps = [];
    for (let i = 4; i < full.length; i += 4) steps.push(full.slice(0, i));
    steps.push(full);

    for (const text of steps) act(() => root.render(<Markdown text={text} />));

    const calls = rendered.mock.calls.map(([text]) => text);
    // Finished blocks were each rendered exactly once in their final form...
    for (const block of ['# Title\n\n', 'First paragraph.\n\n', '```js\nlet x = 1;\n```\n\n', '- one\n- two\n\n']) {
      expect(calls.filter((c) => c === block)).toHaveLength(1);
    }
    // ...and no render ever covered more than one block of text.
    expect(Math.max(...calls.map((c) => c.length))).toBeLessThan(30);
    expect(container.querySelector('h1')?.textContent).toBe('Title');
    expect(container.querySelector('pre code')?.textContent).toBe('let x = 1;\n');
    expect(container.querySelectorAll('li')).toHaveLength(2);
    act(() => root.unmount());
  });
});
