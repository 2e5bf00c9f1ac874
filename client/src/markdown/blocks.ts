/**
 * Splits streaming markdown into top-level blocks, so finished blocks can be rendered once and
 * memoized while only the last one re-renders as tokens arrive.
 *
 * A block ends at a blank line outside a code fence when the next line starts something new
 * (not an indented continuation, not the next item of the same list). A trailing partial line
 * decides only if it cannot still turn into a continuation ("1" may become "1. item").
 */
export interface BlockSplit {
  readonly text: string;
  /** Every block but the last is finished and will not change as the text grows. */
  readonly blocks: readonly string[];
  /** Where the last block starts in `text`. */
  readonly lastStart: number;
}

const listItem = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const fenceOpen = /^ {0,3}(`{3,}|~{3,})/;

/** Splits `text`; pass the previous split of a prefix of it to rescan only its last block. */
export function splitBlocks(text: string, previous?: BlockSplit): BlockSplit {
  let blocks: string[] = [];
  let from = 0;
  if (previous && text.length >= previous.text.length && text.startsWith(previous.text)) {
    blocks = previous.blocks.slice(0, -1);
    from = previous.lastStart;
  }

  let blockStart = from;
  let blockIsList = false;
  let blockHasLine = false;
  let fence: { char: string; length: number } | undefined;
  let blankBefore = false;

  let lineStart = from;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    if (newline < 0) {
      // A partial line decides only when nothing it could grow into would continue the block.
      if (blankBefore && /^[^\s\-*+0-9]/.test(text.slice(lineStart))) {
        blocks.push(text.slice(blockStart, lineStart));
        blockStart = lineStart;
      }
      break;
    }
    const line = text.slice(lineStart, text[newline - 1] === '\r' ? newline - 1 : newline);

    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1][0] === fence.char && close[1].length >= fence.length) fence = undefined;
    } else if (line.trim() === '') {
      blankBefore = blockHasLine;
    } else {
      const isItem = listItem.test(line);
      const continues = /^[ \t]/.test(line) || (blockIsList && isItem);
      if (blankBefore && !continues) {
        blocks.push(text.slice(blockStart, lineStart));
        blockStart = lineStart;
        blockHasLine = false;
      }
      if (!blockHasLine) blockIsList = isItem;
      blockHasLine = true;
      blankBefore = false;
      const open = fenceOpen.exec(line);
      if (open) fence = { char: open[1][0], length: open[1].length };
    }
    lineStart = newline + 1;
  }

  blocks.push(text.slice(blockStart));
  return { text, blocks, lastStart: blockStart };
}
