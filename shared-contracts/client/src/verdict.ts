/**
 * A pipeline's result without the reviewer's verdict (`VERDICT: APPROVE`, or `VERDICT: CHANGES` and its list) at the
 * end: the verdict steers the loop, it is not part of the answer a person reads.
 */
export function withoutVerdict(text: string): string {
  let last: number | undefined;
  for (const match of text.matchAll(/(?:^|\n)[ \t>*_#]*VERDICT:[ \t]*\**[ \t]*(?:APPROVE|CHANGES)\b/gi)) last = match.index;
  return last === undefined ? text : text.slice(0, last).trimEnd();
}
