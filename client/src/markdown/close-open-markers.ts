const fenceLine = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The text of a block that is still streaming, made safe to render mid-sentence: emphasis, strikethrough and code
 * spans that are open at the end are closed, and a delimiter or fence still being typed is held back, so the
 * reader never sees raw `**`, `_` or backticks flash by. (An open code fence needs nothing: it renders as code.)
 */
export function closeOpenMarkers(text: string): string {
  const lines = text.split('\n');
  let inFence = false;
  let start = 0;
  lines.forEach((line, i) => {
    if (fenceLine.test(line)) {
      inFence = !inFence;
      if (!inFence) start = i + 1;
    }
  });
  if (inFence) return text;
  // A fence or code span being typed: one or two backticks or tildes alone at the end.
  let tail = text.replace(/(^|\n) {0,3}(`{1,2}|~{1,2})$/, '$1');
  tail = tail.trimEnd().replace(/(\*{1,3}|_{1,3}|~{1,2}|`+)$/, (run, _m, at: number) => (opensNothing(tail, at) ? '' : run)).trimEnd();
  const prose = lines.slice(start).join('\n');
  const offset = text.length - prose.length;
  if (offset > tail.length) return tail;
  const open = openDelimiters(tail.slice(offset));
  if (open.length === 0) return tail;
  // Half a closer typed ("**bold*"): it becomes the whole one.
  const top = open[open.length - 1];
  const partial = /([*_~])\1*$/.exec(tail);
  if (partial && top[0] === partial[1] && partial[0].length < top.length) tail = tail.slice(0, -partial[0].length);
  return tail + open.reverse().join('');
}

/** A delimiter run at `at` that ends the text and follows whitespace (or nothing) opens nothing yet. */
function opensNothing(text: string, at: number): boolean {
  return at === 0 || /\s/.test(text[at - 1]);
}

/** The delimiters open at the end of `prose`, outermost first. */
function openDelimiters(prose: string): string[] {
  const stack: string[] = [];
  let i = 0;
  while (i < prose.length) {
    const c = prose[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (prose[i + run] === '`') run++;
      const marker = '`'.repeat(run);
      const close = prose.indexOf(marker, i + run);
      if (close < 0) {
        stack.push(marker);
        return stack;
      }
      i = close + run;
      continue;
    }
    if (c === '*' || c === '_' || c === '~') {
      let run = 1;
      while (prose[i + run] === c) run++;
      const before = prose[i - 1] ?? ' ';
      const after = prose[i + run] ?? ' ';
      i += run;
      if (c === '~' && run !== 2) continue;
      // A list bullet, "2 * 3", or snake_case: not emphasis.
      if (/\s/.test(after) && /\s/.test(before)) continue;
      if (c === '_' && /\w/.test(before) && /\w/.test(after)) continue;
      const pieces = c === '~' ? ['~~'] : run >= 3 ? [c + c, c] : [c.repeat(run)];
      for (const piece of pieces) {
        const top = stack.lastIndexOf(piece);
        if (top >= 0 && !/\s/.test(before)) stack.splice(top);
        else if (!/\s/.test(after)) stack.push(piece);
      }
      continue;
    }
    i++;
  }
  return stack;
}
