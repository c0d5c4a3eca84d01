/**
 * A node whose Redis stopped answering still shuts down, and whole: the Redis connections are
 * dropped rather than waited on, and the audit log still writes its shutdown checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { parseChainLine } from '../../src/audit/chain/audit-chain.js';
import { startRedis } from '../support/redis-server.js';
import { serversAvailable } from '../support/system-servers.js';
import { startTestIdp } from '../support/test-idp.js';

describe.runIf(serversAvailable('redis-server'))('shutting down with Redis paused', () => {
  it('ends, and the audit trail ends with its shutdown checkpoint', async () => {
    const redis = await startRedis();
    try {
      const t = await startTestIdp({
        properties: { 'idp.storage.type': 'redis', 'idp.storage.redis.url': redis.url },
      });
      const lines = () => t.rawAuditLines().map((l) => parseChainLine(l)?.record ?? l);
      redis.pause();
      // The close must not wait for Redis: within the test's timeout, with time to spare.
      await Promise.race([
        t.idp.close(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('close hung')), 8_000)),
      ]);
      const last = lines().at(-1)!;
      expect(last).toContain('|Audit|');
      expect(last).toContain('reason=shutdown');
    } finally {
      redis.resume();
      await redis.stop();
    }
  }, 20_000);
});
