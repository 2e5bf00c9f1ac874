import { describe, expect, it } from 'vitest';
import { closeOpenMarkers } from './close-open-markers';
import { renderMarkdown } from './render';

const shown = (text: string) => renderMarkdown(closeOpenMarkers(text)).replace(/<[^>]+>/g, '');

describe('closeOpenMarkers', () => {
  it('closes emphasis, strikethrough and code spans open at the end', () => {
    expect(closeOpenMarkers('This is **very imp')).toBe('This is **very imp**');
    expect(closeOpenMarkers('An *aside and `code')).toBe('An *aside and `code`*');
    expect(closeOpenMarkers('~~old')).toBe('~~old~~');
    expect(closeOpenMarkers('***both')).toBe('***both***');
    expect(closeOpenMarkers('_under')).toBe('_under_');
  });

  it('holds back a delimiter or fence still being typed', () => {
    expect(closeOpenMarkers('Then **')).toBe('Then');
    expect(closeOpenMarkers('Code:\n``')).toBe('Code:');
  });

  it('leaves closed markup, bullets, arithmetic, snake_case and open fences alone', () => {
    for (const text of ['A **done** thing', '* item\n* item', '2 * 3 = 6', 'snake_case_name', 'Look:\n```js\nconst a = **b', '`a` and `b`']) {
      expect(closeOpenMarkers(text)).toBe(text);
    }
  });

  it('never shows raw markers for streaming prefixes of markdown', () => {
    const full = 'Some **bold words**, an *aside*, `code`, ~~gone~~ and __strong__ text.';
    for (let i = 1; i <= full.length; i++) {
      expect(shown(full.slice(0, i)), full.slice(0, i)).not.toMatch(/[*`~]|__/);
    }
  });
});
