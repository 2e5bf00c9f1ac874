import type { HLJSApi } from 'highlight.js';

let loading: Promise<HLJSApi> | undefined;

/** highlight.js with its common languages, fetched the first time a finished code block needs it. */
function highlighter(): Promise<HLJSApi> {
  loading ??= import('highlight.js/lib/common').then((m) => m.default);
  return loading;
}

/**
 * Decorates the finished code blocks inside `root`: highlighted by their fence's language (highlight.js, loaded
 * lazily so the first page stays small) and a "Copy code" button each. highlight.js reads the code's text and
 * writes escaped spans only, so model output stays inert.
 */
export function decorateCodeBlocks(root: HTMLElement): void {
  const blocks = [...root.querySelectorAll<HTMLElement>('pre > code')].filter((code) => !code.dataset.decorated);
  if (blocks.length === 0) return;
  for (const code of blocks) {
    code.dataset.decorated = '1';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-ghost btn-small code-copy';
    button.textContent = 'Copy code';
    button.setAttribute('aria-label', 'Copy code');
    const source = code.textContent ?? '';
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(source).then(
        () => (button.textContent = 'Copied'),
        () => (button.textContent = 'Copy failed'),
      );
      setTimeout(() => (button.textContent = 'Copy code'), 1500);
    });
    code.parentElement?.prepend(button);
  }
  const languages = blocks.filter((code) => /\blanguage-[\w+#-]+/.test(code.className));
  if (languages.length === 0) return;
  void highlighter().then((hljs) => {
    for (const code of languages) {
      const language = /\blanguage-([\w+#-]+)/.exec(code.className)?.[1];
      if (!code.isConnected || !language || !hljs.getLanguage(language)) continue;
      code.innerHTML = hljs.highlight(code.textContent ?? '', { language, ignoreIllegals: true }).value;
      code.classList.add('hljs');
    }
  });
}
