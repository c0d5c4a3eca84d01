/** The node-redis client type the cluster code is given (one connection per IdP, shared). */
import type { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;
