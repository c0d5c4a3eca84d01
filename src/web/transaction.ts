/**
 * The first middleware of the app: each HTTP request runs as a transaction of its own
 * (src/core/transaction.ts), so its process-log lines and audit records share one id.
 */
import type { NextFunction, Request, Response } from 'express';
import { inTransaction, newTransactionId } from '../core/transaction.js';

export function transactionId() {
  return (_req: Request, _res: Response, next: NextFunction): void => {
    inTransaction(newTransactionId(), next);
  };
}
