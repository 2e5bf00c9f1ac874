// The server's refusals are written for API users ("Call list_models …"); the page says the same for a person.

const rules: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Unknown model '([^']*)'/, (m) => `Unknown model: ${m[1]}. Pick one from the list.`],
  [/^Unknown workflow '([^']*)'/, (m) => `Unknown workflow: ${m[1]}. Pick one from the list.`],
  [/^The prompt is (\d+) characters long; the limit is (\d+)/, (m) => `The question is ${Number(m[1]).toLocaleString('en-US')} characters long; the server takes at most ${Number(m[2]).toLocaleString('en-US')}. Shorten it.`],
  [/^(\d+) models were named; a run may have at most (\d+)/, (m) => `${m[1]} models are chosen; a run may have at most ${m[2]}. Untick some in Settings.`],
];

/** The server's message in words for a person; messages it has no rule for pass unchanged. */
export function friendlyError(message: string): string {
  for (const [pattern, say] of rules) {
    const match = pattern.exec(message);
    if (match) return say(match);
  }
  return message;
}
