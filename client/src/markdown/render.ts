import MarkdownIt from 'markdown-it';

// Model output is untrusted: raw HTML is escaped (html: false), images are not loaded, and links
// may only point at http(s), mailto or the page itself, opening in a new tab without an opener.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
md.disable(['image']);

const safeScheme = /^(?:https?:|mailto:)/i;
const anyScheme = /^[a-z][a-z0-9+.-]*:/i;
md.validateLink = (url: string): boolean => {
  const trimmed = url.trim();
  return safeScheme.test(trimmed) || !anyScheme.test(trimmed.replace(/[\u0000-\u0020]/g, ''));
};

const renderToken = md.renderer.renderToken.bind(md.renderer);
md.renderer.rules.link_open = (tokens, idx, options) => {
  tokens[idx].attrSet('target', '_blank');
  tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  return renderToken(tokens, idx, options);
};

/** Markdown to HTML that is safe to insert: no markup from the text itself survives. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
