/**
 * Where a request waits while the browser shows a form (Spring Web Flow's flow executions in
 * Shibboleth). Each displayed form gets a fresh, unguessable execution key bound to the IdP session
 * cookie; taking an execution removes it, so a form post is good for exactly one use and a
 * replayed post finds nothing. Both operations are asynchronous: a store may have to wait for a
 * lock (sqlite-busy.ts) without holding up other requests.
 */
import type { ProfileRequestContext } from '../core/request-context.js';

export interface FlowExecution {
  readonly key: string;
  readonly sessionId: string;
  /** The CSRF token the displayed form carries. */
  readonly csrfToken: string;
  /** The view the form belongs to ("login", "intercept/impersonate"). */
  readonly view: string;
  readonly context: ProfileRequestContext;
}

export interface FlowExecutionStore {
  /** Stores a waiting request and returns its new execution key. */
  save(execution: Omit<FlowExecution, 'key'>, ttlMs: number): Promise<string>;
  /** Removes and returns the execution, if it exists, is unexpired and belongs to this session. */
  take(key: string, sessionId: string): Promise<FlowExecution | undefined>;
}
