/**
 * The transaction id: one random id per HTTP request (given at the edge, src/web/transaction.ts)
 * or per background job (a policy reload the file watcher or a signal starts). Every process-log
 * line written while it runs and every audit record it writes carry it (%tx), so an auditor joins
 * the two logs on it. Kept in an AsyncLocalStorage, so it follows the request through every await
 * without being passed along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

interface Transaction {
  readonly id: string;
}

const storage = new AsyncLocalStorage<Transaction>();

/** 16 characters of base64url: 96 random bits. */
export function newTransactionId(): string {
  return randomBytes(12).toString('base64url');
}

/** The id of the transaction the caller runs in, or undefined outside any (start-up). */
export function currentTransactionId(): string | undefined {
  return storage.getStore()?.id;
}

/** Runs `work` (and everything it starts) as transaction `id`. */
export function inTransaction<T>(id: string, work: () => T): T {
  return storage.run({ id }, work);
}

/** Runs `work` as a new transaction of its own (a background job). */
export function inNewTransaction<T>(work: () => T): T {
  return inTransaction(newTransactionId(), work);
}
