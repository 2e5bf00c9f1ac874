import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render';

describe('renderMarkdown', () => {
  it('renders code blocks, lists and tables', () => {
    const html = renderMarkdown('```js\nlet a = 1 < 2;\n```\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(html).toContain('<pre><code class="language-js">let a = 1 &lt; 2;');
    expect(html).toContain('<ul>\n<li>one</li>');
    expect(html).toContain('<table>');
  });

  it('escapes raw HTML instead of executing it', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;');
  });

  it('drops javascript:, data: and vbscript: links but keeps http(s) ones', () => {
    for (const url of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'vbscript:x']) {
      expect(renderMarkdown(`[click](${url})`)).not.toContain('<a');
    }
    const html = renderMarkdown('[docs](https://example.com/a?b=1)');
    expect(html).toContain('<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer nofollow">docs</a>');
  });

  it('does not load images', () => {
    expect(renderMarkdown('![pixel](https://tracker.example/p.gif)')).not.toContain('<img');
  });
});
