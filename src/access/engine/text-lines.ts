/**
 * The lines of a text, numbered as text.split('\n') numbers them, without making that array: a
 * 100k-row policy is given in chunks (each cut just after a "\n", see policy-text.ts) and read
 * line by line, pausing between stretches, so no single step holds the event loop for long.
 */
import type { Turns } from './cooperative.js';

/** The text whole, or in chunks each ending just after a "\n" (the last may end anywhere). */
export type TextChunks = string | readonly string[];

/** Calls `visit` with every line but a final empty one, and its number (from 1). */
export async function forEachLine(
  text: TextChunks,
  turns: Turns,
  visit: (line: string, lineNumber: number) => void,
): Promise<void> {
  let lineNumber = 0;
  for (const chunk of typeof text === 'string' ? [text] : text) {
    let start = 0;
    while (start < chunk.length) {
      if (turns.due()) await turns.pause();
      const end = chunk.indexOf('\n', start);
      const stop = end === -1 ? chunk.length : end;
      visit(chunk.slice(start, stop), ++lineNumber);
      start = stop + 1;
    }
  }
}
