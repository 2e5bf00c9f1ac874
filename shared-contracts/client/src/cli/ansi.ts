// A few ANSI escapes: enough for colored labels and a redrawn live region, no dependency.
const ESC = '\u001b[';

export const cursorUp = (lines: number): string => (lines > 0 ? `${ESC}${lines}A` : '');
export const clearLine = `${ESC}2K`;
export const clearDown = `${ESC}J`;
export const hideCursor = `${ESC}?25l`;
export const showCursor = `${ESC}?25h`;

/** Text styling that is a no-op when colors are off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `${ESC}${open}m${text}${ESC}${close}m`;

export const colors: Style = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
};

const identity = (text: string) => text;
export const noColors: Style = { bold: identity, dim: identity, red: identity, green: identity, yellow: identity, cyan: identity };

/** Removes escapes and other control characters, C0 and C1 (model output must not move the cursor: U+009B is a CSI too). */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/(?:\u001b\[|\u009b)[0-9;?]*[ -/]*[@-~]|\u001b[@-_]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** Visible width, counting East Asian wide characters and emoji as two columns. */
export function visibleWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
  let width = 0;
  for (const ch of plain) width += charWidth(ch.codePointAt(0)!);
  return width;
}

/** Cuts `text` (which may contain SGR escapes) to `width` columns, ending with … when cut. */
export function truncate(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  // eslint-disable-next-line no-control-regex
  const parts = text.split(/(\u001b\[[0-9;?]*[ -/]*[@-~])/);
  for (const part of parts) {
    if (part.startsWith('\u001b[')) { out += part; continue; }
    for (const ch of part) {
      const w = charWidth(ch.codePointAt(0)!);
      if (used + w > width - 1) return `${out}…${ESC}0m`;
      out += ch;
      used += w;
    }
  }
  return out;
}

/** Splits text into lines of at most `width` columns (hard wrap, no hyphenation). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    let line = '';
    let used = 0;
    for (const ch of raw) {
      const w = charWidth(ch.codePointAt(0)!);
      if (used + w > width) { lines.push(line); line = ''; used = 0; }
      line += ch;
      used += w;
    }
    lines.push(line);
  }
  return lines;
}

function charWidth(code: number): number {
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (code >= 0x300 && code <= 0x36f) return 0; // combining marks
  if (code === 0x200b || code === 0x200d || (code >= 0xfe00 && code <= 0xfe0f)) return 0; // zero width, variation selectors
  if (
    (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3)
    || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60)
    || (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1faff) || (code >= 0x20000 && code <= 0x3fffd)
  ) return 2;
  return 1;
}
