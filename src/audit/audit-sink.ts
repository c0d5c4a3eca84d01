/**
 * Extension point: where audit records go. The contract is durability: write() resolves only once
 * the record is on stable storage, and rejects if it is not — the caller then releases nothing.
 */
export interface AuditSink {
  write(record: string): Promise<void>;
  close(): Promise<void>;
}
