/**
 * The IdP's logs, opened first so everything after can log: the process log (winston, Shibboleth's
 * categories) and the audit log over its durable file sink (conf/audit.yaml's format).
 */
import { AuditFormatter, parseAuditFormat } from '../audit/audit-format.js';
import { AuditLog } from '../audit/audit-log.js';
import { FileAuditSink } from '../audit/file-audit-sink.js';
import type { IdpConfiguration } from '../config/load-configuration.js';
import { createProcessLog, type ProcessLog } from '../logging/process-log.js';

/** The process log (root and net.shibboleth.idp) and the audit log. */
export interface Logs {
  readonly log: ProcessLog;
  /** Category net.shibboleth.idp. */
  readonly idpLog: ProcessLog;
  readonly audit: AuditLog;
}

/** console: also write the process log to standard output (default true). */
export async function openLogs(config: IdpConfiguration, console?: boolean): Promise<Logs> {
  const props = config.properties;
  const log = createProcessLog({
    file: props.logs.processFile,
    fileLevel: props.logs.fileLevel,
    consoleLevel: props.logs.consoleLevel,
    console,
  });
  const idpLog = log.child('net.shibboleth.idp');
  const audit = new AuditLog(
    new AuditFormatter(parseAuditFormat(config.audit.format), config.audit.fieldReplacements),
    await FileAuditSink.open(props.logs.auditFile, log.child('net.shibboleth.idp.audit')),
  );
  return { log, idpLog, audit };
}
