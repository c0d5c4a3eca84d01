/**
 * The `audit` command's output to stdout: written in large pieces, and waiting when the reader
 * (a pipe, a terminal) is slower than a million records, instead of holding them all in memory.
 * `audit query | head` closes the pipe early: that ends the output quietly.
 */
import process from 'node:process';
import { safeLines } from '../logging/process-log.js';
import type { AuditOut } from './audit-output.js';

const PIECE = 64 * 1024;

export function processAuditOut(): AuditOut {
  let buffer = '';
  let closed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      closed = true;
    });
  }
  const flush = async (all = false): Promise<void> => {
    if (buffer === '' || closed || (!all && buffer.length < PIECE)) return;
    const piece = buffer;
    buffer = '';
    if (!process.stdout.write(piece))
      await new Promise<void>((resolve) => {
        process.stdout.once('drain', resolve);
        process.stdout.once('error', () => resolve());
      });
  };
  return {
    write(text) {
      buffer += text;
    },
    flush,
    err: (line) => void process.stderr.write(`${safeLines(line)}\n`),
    closed: () => closed,
  };
}
