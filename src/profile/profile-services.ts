/**
 * What the SSO pipeline itself uses (profile-flow.ts, outcomes.ts, recheck-subject.ts), built once
 * at start-up (see src/idp.ts). The steps get their own services (profileSteps in profile-flow.ts).
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { IdpProperties } from '../config/idp-properties.js';
import type { IdpEvent } from '../core/events.js';
import type { UserDirectory } from '../directory/user-directory.js';
import type { ProtocolFrontEnd } from '../frontend/protocol-front-end.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { RelyingPartyRegistry } from '../relying-party/relying-party.js';
import type { FlowExecutionStore } from '../session/flow-execution-store.js';
import type { Views } from '../web/views.js';

export interface ProfileServices {
  readonly props: IdpProperties;
  readonly relyingParties: RelyingPartyRegistry;
  readonly directory: UserDirectory;
  readonly executions: FlowExecutionStore;
  readonly frontEnds: ReadonlyMap<string, ProtocolFrontEnd>;
  readonly audit: AuditLog;
  /** event → audited? (conf/errors.yaml) */
  readonly localEvents: ReadonlyMap<IdpEvent, boolean>;
  readonly views: Views;
  readonly log: ProcessLog;
}
