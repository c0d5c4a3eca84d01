/**
 * The FlowExecutionStore on Redis (idp.storage.type = redis): a form shown by one node can be
 * posted to another. Each execution is one key, `<prefix>execution:<key>`, holding the session it
 * is bound to and the waiting request, with the flow's lifetime as its TTL.
 *
 * Taking is one Lua script, so it is atomic across every node: it reads the value, and deletes and
 * returns it only when the session matches. Two posts of the same form, on one node or two, get
 * it once; a replay finds nothing. A take from another session gets nothing and leaves the
 * execution in place, as the SQLite store does (sqlite-flow-execution-store.ts), so a stranger
 * who learns a key cannot burn somebody else's form.
 */
import { randomBytes } from 'node:crypto';
import { sharedStoreCall, type RedisClient } from '../storage/redis-connection.js';
import type { FlowExecution, FlowExecutionStore } from './flow-execution-store.js';

/** KEYS[1] the execution, ARGV[1] "<session id>\n": the stored value minus that line, or nil. */
const TAKE = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
local bound = ARGV[1]
if string.sub(value, 1, #bound) ~= bound then return false end
redis.call('DEL', KEYS[1])
return string.sub(value, #bound + 1)
`;

export class RedisFlowExecutionStore implements FlowExecutionStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
  ) {
    this.prefix = `${keyPrefix}execution:`;
  }

  async save(execution: Omit<FlowExecution, 'key'>, ttlMs: number): Promise<string> {
    const key = `e${randomBytes(18).toString('base64url')}`;
    const { sessionId, ...data } = execution;
    // The binding is the IdP's own value (base64url, or a fixed marker): never a line break.
    const value = `${sessionId}\n${JSON.stringify(data)}`;
    await sharedStoreCall(this.redis, 'flow execution store', () =>
      this.redis.set(this.key(key), value, { expiration: { type: 'PX', value: ttlMs } }),
    );
    return key;
  }

  async take(key: string, sessionId: string): Promise<FlowExecution | undefined> {
    const json = await sharedStoreCall(this.redis, 'flow execution store', () =>
      this.redis.eval(TAKE, { keys: [this.key(key)], arguments: [`${sessionId}\n`] }),
    );
    if (typeof json !== 'string') return undefined;
    return { key, sessionId, ...(JSON.parse(json) as Omit<FlowExecution, 'key' | 'sessionId'>) };
  }

  /** The Redis key of an execution key (for tests and tools). */
  key(key: string): string {
    return `${this.prefix}${key}`;
  }
}
