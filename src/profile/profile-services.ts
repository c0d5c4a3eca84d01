/** Everything the SSO pipeline uses, built once at start-up (see src/idp.ts). */
import type { AttributeFilter } from '../attribute/attribute-filter.js';
import type { AttributeResolver } from '../attribute/attribute-resolver.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { LoginThrottle } from '../authn/login-throttle.js';
import type { IdpProperties } from '../config/idp-properties.js';
import type { IdpEvent } from '../core/events.js';
import type { UserDirectory } from '../directory/user-directory.js';
import type { ProtocolFrontEnd } from '../frontend/protocol-front-end.js';
import type { InterceptRunner } from '../intercept/intercept-runner.js';
import type { ProcessLog } from '../logging/process-log.js';
import type { RelyingPartyRegistry } from '../relying-party/relying-party.js';
import type { FlowExecutionStore } from '../session/flow-execution-store.js';
import type { Views } from '../web/views.js';

export interface ProfileServices {
  readonly props: IdpProperties;
  readonly relyingParties: RelyingPartyRegistry;
  readonly directory: UserDirectory;
  readonly throttle: LoginThrottle;
  readonly resolver: AttributeResolver;
  readonly filter: AttributeFilter;
  readonly intercepts: InterceptRunner;
  readonly executions: FlowExecutionStore;
  readonly frontEnds: ReadonlyMap<string, ProtocolFrontEnd>;
  readonly audit: AuditLog;
  /** event → audited? (conf/errors.yaml) */
  readonly localEvents: ReadonlyMap<IdpEvent, boolean>;
  readonly views: Views;
  readonly log: ProcessLog;
}
