/**
 * Real servers from Debian packages (slapd, redis-server, haproxy) that the directory, shared-state
 * and cluster suites start on loopback. When a binary is not installed its suites are skipped with
 * a message — unless REQUIRE_SERVERS=1, as .ci/run sets, where its absence is a failure.
 */
import { existsSync } from 'node:fs';

const LOCATIONS: Record<string, string[]> = {
  'redis-server': ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
  slapd: ['/usr/sbin/slapd', '/usr/local/sbin/slapd', '/usr/local/libexec/slapd'],
  haproxy: ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'],
};

/** The binary's path, or undefined when it is not installed. */
function serverBinary(name: string): string | undefined {
  return (LOCATIONS[name] ?? []).find((p) => existsSync(p));
}

/**
 * Whether a suite needing these binaries runs: true when all are installed, or when
 * REQUIRE_SERVERS=1 (the suite then fails on the missing one). Prints why a suite is skipped.
 */
export function serversAvailable(...names: string[]): boolean {
  const missing = names.filter((n) => !serverBinary(n));
  if (missing.length === 0 || process.env.REQUIRE_SERVERS === '1') return true;
  console.warn(
    `skipped: ${missing.join(', ')} not installed (apt-get install ${missing.join(' ')})`,
  );
  return false;
}

/** The binary's path; throws a clear error when it is missing (under REQUIRE_SERVERS=1). */
export function requireServerBinary(name: string): string {
  const found = serverBinary(name);
  if (!found)
    throw new Error(
      `${name} is not installed: apt-get install ${name === 'slapd' ? 'slapd ldap-utils' : name}`,
    );
  return found;
}
