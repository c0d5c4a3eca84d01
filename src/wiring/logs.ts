/**
 * The IdP's logs, opened first so everything after can log: the process log (winston, Shibboleth's
 * categories) and the audit log over its durable file sink (conf/audit.yaml's format), sealed into
 * the tamper-evident chain and signed with the audit key when idp.audit.chain.enabled is on.
 */
import { AuditChainWriter } from '../audit/chain/audit-chain-writer.js';
import { AuditFormatter, parseAuditFormat } from '../audit/audit-format.js';
import { AuditLog } from '../audit/audit-log.js';
import { controlFormatter } from '../audit/chain/audit-control-records.js';
import { FileAuditSink } from '../audit/file-audit-sink.js';
import type { IdpConfiguration } from '../config/load-configuration.js';
import { loadAuditSigningKey } from '../credentials/audit-signing-key.js';
import { createProcessLog, type ProcessLog } from '../logging/process-log.js';

/** The process log (root and net.shibboleth.idp) and the audit log. */
export interface Logs {
  readonly log: ProcessLog;
  /** Category net.shibboleth.idp. */
  readonly idpLog: ProcessLog;
  readonly audit: AuditLog;
}

/** console: also write the process log to standard output (default true). */
export async function openLogs(
  config: IdpConfiguration,
  console?: boolean,
  now: () => number = Date.now,
): Promise<Logs> {
  const props = config.properties;
  const log = createProcessLog({
    file: props.logs.processFile,
    fileLevel: props.logs.fileLevel,
    consoleLevel: props.logs.consoleLevel,
    console,
  });
  const idpLog = log.child('net.shibboleth.idp');
  const formatter = new AuditFormatter(
    parseAuditFormat(config.audit.format),
    config.audit.fieldReplacements,
  );
  try {
    const sink = await openAuditSink(config, formatter, log.child('net.shibboleth.idp.audit'), now);
    return { log, idpLog, audit: new AuditLog(formatter, sink, now, props.nodeId) };
  } catch (err) {
    await log.close();
    throw err;
  }
}

async function openAuditSink(
  config: IdpConfiguration,
  formatter: AuditFormatter,
  log: ProcessLog,
  now: () => number,
): Promise<FileAuditSink> {
  const file = config.properties.logs.auditFile;
  const a = config.properties.audit;
  if (!a.chainEnabled) return FileAuditSink.open(file, log);
  const key = loadAuditSigningKey({ key: a.signingKey, publicKey: a.signingPublicKey }, log);
  const writer = await AuditChainWriter.open({
    file,
    key,
    control: controlFormatter(formatter, now, config.properties.nodeId),
    checkpointRecords: a.checkpointRecords,
    checkpointIntervalMs: a.checkpointIntervalMs,
    rotateDaily: a.rotateDaily,
    rotateMaxSize: a.rotateMaxSize,
    compress: a.compress,
    maxHistoryDays: a.maxHistoryDays,
    now,
    log,
    node: config.properties.nodeId,
  });
  return new FileAuditSink(file, writer);
}
