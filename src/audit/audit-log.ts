/**
 * The audit log service: formats a record with the configured format and hands it to the sink,
 * whose write() resolves only once the record is durable. The event time (%T) is stamped here,
 * at write time, as Shibboleth does, and so is the node that wrote it (%node).
 */
import { AuditField, type AuditFields } from './audit-fields.js';
import { auditTimestamp, type AuditFormatter } from './audit-format.js';
import type { AuditSink } from './audit-sink.js';

export class AuditLog {
  constructor(
    private readonly formatter: AuditFormatter,
    private readonly sink: AuditSink,
    private readonly now: () => number = Date.now,
    /** The node's name (idp.node.id), stamped on every record as %node. */
    private readonly node = '',
  ) {}

  async record(fields: AuditFields): Promise<void> {
    const stamped = new Map(fields);
    stamped.set(AuditField.EVENT_TIME, [auditTimestamp(this.now())]);
    if (this.node !== '') stamped.set(AuditField.NODE, [this.node]);
    await this.sink.write(this.formatter.format(stamped));
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
