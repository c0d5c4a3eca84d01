/**
 * What `audit verify` cannot detect, said every time it runs, with this trail's numbers: a clean
 * result is only worth what these sentences leave out.
 */
import path from 'node:path';
import type { NodeVerdict } from './audit-verify-types.js';

function unsignedTail(node: NodeVerdict, prefix: string): string {
  const u = node.unsigned;
  const general =
    'Removing whole records from the end of the current file, after its last checkpoint, leaves no trace: nothing follows them to show they were there.';
  if (!u) return `${prefix}${general}`;
  const here =
    u.count === 0
      ? `Here the last file, ${path.basename(u.file)}, ends in a checkpoint.`
      : `Here ${u.count} record${u.count === 1 ? '' : 's'} of ${path.basename(u.file)}, from line ${u.fromLine} on, are covered by no checkpoint yet.`;
  return `${prefix}${general} ${here}`;
}

function olderThanFirst(node: NodeVerdict, prefix: string): string {
  const after = node.startsAfterSeq;
  if (after === 0)
    return `${prefix}The first file given starts the chain (seq 1): there is nothing older to miss.`;
  const from = after === undefined ? '' : ` The chain is checked from seq ${after + 1} on.`;
  return `${prefix}Nothing older than the first file given is checked: earlier files, or records before it, may be missing or altered without a trace here.${from}`;
}

export function describeLimits(nodes: readonly NodeVerdict[], controlRecords: boolean): string[] {
  const limits: string[] = [];
  nodes.forEach((node, i) => {
    const prefix = nodes.length > 1 ? `Node ${i + 1}: ` : '';
    limits.push(unsignedTail(node, prefix), olderThanFirst(node, prefix));
  });
  limits.push(
    'Deleting whole files at the newest end (the current file, or the latest rotated files with it) cannot be told from the files that remain.',
    'Someone who holds the audit signing key (the private key) can rewrite the chain and sign new checkpoints; verify cannot tell that from the original. Keep the key out of reach of the people the trail records.',
    'The chain of hashes is not keyed: whoever can write the files can edit a record and recompute every later hash. That shows at the next checkpoint (as a bad checkpoint), but not when no checkpoint follows the edit.',
  );
  if (!controlRecords)
    limits.push(
      'The configured format has no %P, %act and %det fields, so checkpoints and the open records that link files were not checked.',
    );
  return limits;
}
