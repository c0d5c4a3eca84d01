/**
 * A reload loads one state of the policy set as a whole. When a new version of two policy files
 * lands while a reload is reading and compiling the old one, the reload must not combine the old
 * version of one policy with the new version of the other: it reads the set again and loads the
 * new version whole.
 */
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePolicy } from '../../bench/policy-generator.js';
import type { AccessRequest } from '../../src/access/access-control.js';
import { ReloadableAccessControlService } from '../../src/access/reloadable-access-control.js';
import { createProcessLog } from '../../src/logging/process-log.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';

const MARKER = '# end of policy\n';
/** Version A offers the form to "probe" and lets it impersonate x; version B does neither, but lets it impersonate y. */
const VERSIONS = {
  A: {
    general: 'p, probe, *, *, impersonate, allow\n',
    specific: 'p, probe, x, *, impersonate, allow\n',
  },
  B: {
    general: 'p, probe, *, *, impersonate, deny\n',
    specific: 'p, probe, y, *, impersonate, allow\n',
  },
} as const;
type Version = keyof typeof VERSIONS;

const services: ReloadableAccessControlService[] = [];
afterAll(() => services.forEach((s) => s.close()));

describe('a new version of several files landing during a reload', () => {
  it('is loaded whole, never mixed with the version being read', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'policy-set-consistency-'));
    const confDir = path.join(home, 'conf');
    mkdirSync(path.join(confDir, 'access-control'), { recursive: true });
    copyFileSync(
      path.join(DEFAULT_CONF_DIR, 'access-control/impersonation.model.conf'),
      path.join(confDir, 'access-control/model.conf'),
    );
    writeFileSync(
      path.join(confDir, 'access-control.yaml'),
      [
        'policies:',
        '  General:',
        '    model: access-control/model.conf',
        '    policy: access-control/general.csv',
        '  Specific:',
        '    model: access-control/model.conf',
        '    policy: access-control/specific.csv',
        MARKER,
      ].join('\n'),
    );
    // 20,000 more rows in the general policy, so that compiling it takes a while.
    const bulk = generatePolicy({ rows: 20_000, seed: 5, shape: 'realistic' }).csv;
    /** Saves a version the safe way: each file written aside and renamed into place. */
    const save = (version: Version) => {
      for (const [name, rows] of [
        ['general', bulk.replace(MARKER, '') + VERSIONS[version].general + MARKER],
        ['specific', VERSIONS[version].specific + MARKER],
      ] as const) {
        const file = path.join(confDir, `access-control/${name}.csv`);
        writeFileSync(`${file}.new`, rows);
        renameSync(`${file}.new`, file);
      }
    };
    save('A');
    const log = createProcessLog({
      file: path.join(home, 'process.log'),
      fileLevel: 'INFO',
      consoleLevel: 'ERROR',
      console: false,
    });
    const service = await ReloadableAccessControlService.start({
      confDir,
      lookup: () => undefined,
      log,
      watch: false,
      signal: null,
      pacing: { yieldEvery: 8 },
    });
    services.push(service);
    const ask = (policy: string, resource: string) => {
      const request: AccessRequest = {
        subject: 'probe',
        attributes: {},
        relyingParty: 'https://sp.example.org',
        operation: 'impersonate',
        resource,
      };
      return service.getInstance(policy).checkAccess(request).allowed;
    };
    const inForce = () => ({
      form: ask('General', ''),
      x: ask('Specific', 'x'),
      y: ask('Specific', 'y'),
    });
    expect(inForce()).toEqual({ form: true, x: true, y: false });

    const reloading = service.reload();
    let finished = false;
    void reloading.then(() => (finished = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(finished).toBe(false); // the new version lands while the reload is busy with the old one
    save('B');
    const result = await reloading;

    expect(result.ok).toBe(true);
    expect(inForce()).toEqual({ form: false, x: false, y: true });
  }, 60_000);
});
