/** The part of the browser's `speechSynthesis` the reader uses. */
export interface Synth {
  speak(utterance: SpeechSynthesisUtterance): void;
  cancel(): void;
}

const fence = /^[ \t]*(`{3,}|~{3,})[^\n]*\n/;
// A sentence is complete once the whitespace after its end has arrived (a list's "1." is no end); a line break ends a
// heading, item or paragraph.
const boundary = /(?<!^[ \t]*\d{1,9})[.!?…]+["'”’)\]*_`]*[ \t]+|\n+/gm;

/**
 * Reads a streaming answer aloud sentence by sentence: each sentence is spoken as soon as it is complete, while the
 * rest is still being written. Markdown is spoken as the words it shows (no hashes, stars, backticks or link
 * addresses); code blocks are left out.
 */
export class ProgressiveSpeech {
  private consumed = 0;
  private reading = false;
  private pending = 0;
  private finished = false;

  constructor(
    private readonly synth: Synth,
    private readonly utter: (text: string) => SpeechSynthesisUtterance = (text) => new SpeechSynthesisUtterance(text),
    private readonly onEnd: () => void = () => {},
  ) {}

  get active(): boolean {
    return this.reading;
  }

  /** Starts reading `text` from its beginning; `done` when no more will come. */
  start(text: string, done: boolean): void {
    this.synth.cancel();
    this.reading = true;
    this.consumed = 0;
    this.pending = 0;
    this.finished = false;
    this.feed(text, done);
  }

  /** The text so far (it only grows): speaks the sentences completed since the last call. */
  feed(text: string, done: boolean): void {
    if (!this.reading || this.finished) return;
    const { chunks, consumed } = speakableChunks(text.slice(this.consumed), done);
    this.consumed += consumed;
    for (const chunk of chunks) {
      const words = plainText(chunk);
      if (!words) continue;
      const utterance = this.utter(words);
      this.pending++;
      utterance.onend = utterance.onerror = () => {
        this.pending--;
        this.endIfDone();
      };
      this.synth.speak(utterance);
    }
    if (done) {
      this.finished = true;
      this.endIfDone();
    }
  }

  stop(): void {
    if (!this.reading) return;
    this.reading = false;
    this.synth.cancel();
  }

  private endIfDone(): void {
    if (this.reading && this.finished && this.pending <= 0) {
      this.reading = false;
      this.onEnd();
    }
  }
}

/** The complete sentences at the start of `rest`, and how many characters they took; code blocks are skipped whole. */
export function speakableChunks(rest: string, done: boolean): { chunks: string[]; consumed: number } {
  const chunks: string[] = [];
  let pos = 0;
  while (pos < rest.length) {
    const open = fence.exec(rest.slice(pos));
    if (open) {
      const marker = open[1];
      const body = pos + open[0].length;
      const close = new RegExp(`^[ \\t]*${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*(\\n|$)`, 'm').exec(rest.slice(body));
      if (!close) {
        if (!done) break;
        pos = rest.length;
        break;
      }
      pos = body + close.index + close[0].length;
      continue;
    }
    boundary.lastIndex = pos;
    const end = boundary.exec(rest);
    if (!end) {
      if (done) {
        chunks.push(rest.slice(pos));
        pos = rest.length;
      }
      break;
    }
    const next = end.index + end[0].length;
    chunks.push(rest.slice(pos, next));
    pos = next;
  }
  return { chunks, consumed: pos };
}

/** What a reader hears of a piece of markdown: the words, without its syntax. */
export function plainText(markdown: string): string {
  const text = markdown
    .replace(/<[^>]*>/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^[ \t]*#{1,6}[ \t]+/gm, '')
    .replace(/^[ \t]*>[ \t]?/gm, '')
    .replace(/^[ \t]*([-*+]|\d+[.)])[ \t]+/gm, '')
    .replace(/^[ \t]*([-*_][ \t]*){3,}$/gm, '')
    .replace(/`+/g, '')
    .replace(/(\*\*|__|~~)/g, '')
    .replace(/(^|[^\w*])\*(?=\S)|(?<=\S)\*(?=[^\w*]|$)/g, '$1')
    .replace(/(^|\W)_(?=\S)|(?<=\S)_(?=\W|$)/g, '$1')
    .replace(/[|]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return /[\p{L}\p{N}]/u.test(text) ? text : '';
}
