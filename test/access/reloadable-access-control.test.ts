/**
 * Hot reload of the access-control policies: edits are picked up from the files (also when an
 * editor renames a new file over the old one), on SIGHUP and on reload(); a broken edit keeps the
 * last good policies in force and is logged as an ERROR naming file and line; a broken policy at
 * start-up stops the IdP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../src/access/access-control.js';
import { ReloadableAccessControlService } from '../../src/access/reloadable-access-control.js';
import type { ReloadReport } from '../../src/access/reload-report.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { eventually, POLICY, policyConf, type PolicyConf } from './policy-conf.js';

const RP = 'https://sp.demo.example.org/shibboleth';
const ERIN_MAY = 'p, erin, *, *, impersonate, allow\n';
const ERIN_MAY_NOT_ADMIN = 'p, erin, *, *, impersonate, allow\np, *, admin, *, impersonate, deny\n';

let services: ReloadableAccessControlService[] = [];
afterEach(() => {
  for (const s of services) s.close();
  services = [];
});

async function start(
  conf: PolicyConf,
  options: {
    watch?: boolean;
    signal?: NodeJS.Signals | null;
    onReload?: (report: ReloadReport) => Promise<void>;
  } = {},
) {
  const service = await ReloadableAccessControlService.start({
    confDir: conf.confDir,
    lookup: () => undefined,
    log: conf.log,
    references: [{ property: 'idp.impersonate.specificPolicy', name: POLICY }],
    debounceMs: 50,
    watch: options.watch ?? false,
    signal: options.signal ?? null,
    onReload: options.onReload,
  });
  services.push(service);
  return service;
}

function request(resource: string, subject = 'erin'): AccessRequest {
  return { subject, attributes: {}, relyingParty: RP, operation: 'impersonate', resource };
}

describe('start-up', () => {
  it('refuses a broken policy with a ConfigurationError naming file:line', async () => {
    const conf = policyConf('p, erin, *, *, impersonate, allow\np, *, admin, *, impersonate\n');
    const err: unknown = await start(conf).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(
      /^conf\/access-control\/policy\.csv:2: p: expected 5 values/,
    );
  });

  it('serves the policies and describes them', async () => {
    const service = await start(policyConf(ERIN_MAY_NOT_ADMIN));
    expect(service.getInstance(POLICY).checkAccess(request('bob'))).toMatchObject({
      allowed: true,
      matchedAt: ['conf/access-control/policy.csv:1'],
    });
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(false);
    expect(service.status()).toMatchObject({
      generation: 1,
      policies: [
        {
          name: POLICY,
          rules: { p: 2, g: 0, g2: 0 },
          indexed: true,
          policyFile: 'conf/access-control/policy.csv',
          modelFile: 'conf/access-control/impersonation.model.conf',
        },
      ],
      sourceFiles: [
        'conf/access-control.yaml',
        expect.stringMatching(/impersonation\.model\.conf$/),
        expect.stringMatching(/policy\.csv$/),
      ],
      lastReload: { ok: true, trigger: 'startup', generation: 1 },
      warnings: [],
    });
  });
});

describe('reload', () => {
  it('swaps in an edited policy', async () => {
    const conf = policyConf(ERIN_MAY);
    const service = await start(conf);
    const erin = service.getInstance(POLICY); // a handle kept across reloads sees the new policy
    expect(erin.checkAccess(request('admin')).allowed).toBe(true);
    conf.write(ERIN_MAY_NOT_ADMIN);
    expect(await service.reload()).toMatchObject({ ok: true, trigger: 'api', generation: 2 });
    expect(erin.checkAccess(request('admin')).allowed).toBe(false);
    await eventually(
      () => conf.logText().includes('Access-control policies reloaded (api, generation 2'),
      'the INFO line',
    );
  });

  it('records a reload before it takes effect: one that cannot be recorded changes nothing', async () => {
    const conf = policyConf(ERIN_MAY);
    const reports: ReloadReport[] = [];
    let auditFails = true;
    const service = await start(conf, {
      onReload: (report) => {
        // The record is written while the previous policies still serve.
        reports.push(report);
        expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(true);
        return auditFails ? Promise.reject(new Error('disk full')) : Promise.resolve();
      },
    });
    conf.write(ERIN_MAY_NOT_ADMIN);
    const refused = await service.reload();
    expect(refused).toMatchObject({ ok: false, generation: 1 });
    expect(refused.errors).toEqual(['not recorded in the audit log: disk full']);
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(true);
    expect(reports.map((r) => r.result.generation)).toEqual([2]);
    auditFails = false;
    expect(await service.reload()).toMatchObject({ ok: true, generation: 2 });
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(false);
    expect(reports.at(-1)).toMatchObject({ result: { ok: true, generation: 2 } });
  });

  it('keeps the last good policy when an edit is broken, and says where', async () => {
    const conf = policyConf(ERIN_MAY_NOT_ADMIN);
    const service = await start(conf);
    conf.write('p, erin, *, *, impersonate, allow\n\np, *, admin, *, impersonate, dney\n');
    const result = await service.reload();
    expect(result).toMatchObject({ ok: false, generation: 1 });
    expect(result.errors).toEqual([
      'conf/access-control/policy.csv:3: p: eft must be allow or deny, found "dney"',
    ]);
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(false);
    expect(service.status().lastReload).toEqual(result);
    await eventually(
      () =>
        /ERROR .*Access-control policies not reloaded: conf\/access-control\/policy\.csv:3: p: eft must be allow or deny/.test(
          conf.logText(),
        ),
      'the ERROR line',
    );
    await eventually(
      () => /ERROR .*the previous policies \(generation 1\) stay in force/.test(conf.logText()),
      'the summary ERROR line',
    );
  });

  it('follows edits of the files by itself, including rename-over saves', async () => {
    const conf = policyConf(ERIN_MAY);
    const service = await start(conf, { watch: true });
    conf.write(ERIN_MAY_NOT_ADMIN);
    await eventually(() => service.generation === 2, 'a reload after the write');
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(false);
    expect(service.status().lastReload.trigger).toBe('file');
    conf.replace(ERIN_MAY);
    await eventually(() => service.generation === 3, 'a reload after the rename');
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(true);
    conf.replace('p, erin');
    await eventually(
      () => service.status().lastReload.ok === false,
      'a failed reload after a broken save',
    );
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(true);
    conf.replace(ERIN_MAY_NOT_ADMIN); // fixing the file is picked up too
    await eventually(() => service.generation === 4, 'a reload after the fix');
  });

  it('reloads on SIGHUP', async () => {
    const conf = policyConf(ERIN_MAY);
    const service = await start(conf, { signal: 'SIGHUP' });
    conf.write(ERIN_MAY_NOT_ADMIN);
    process.kill(process.pid, 'SIGHUP');
    await eventually(() => service.generation === 2, 'a reload after SIGHUP');
    expect(service.status().lastReload.trigger).toBe('signal');
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(false);
  });

  it('runs a reload asked for during another one afterwards, once', async () => {
    const conf = policyConf(ERIN_MAY);
    const service = await start(conf);
    const first = service.reload();
    conf.write(ERIN_MAY_NOT_ADMIN);
    const [a, b, c] = await Promise.all([first, service.reload(), service.reload()]);
    expect([a.generation, b.generation, c.generation]).toEqual([2, 3, 3]);
    expect(service.getInstance(POLICY).checkAccess(request('admin')).allowed).toBe(false);
  });
});

describe('policy names', () => {
  it('denies, with a WARN, a name no policy answers to', async () => {
    const conf = policyConf(ERIN_MAY);
    const service = await start(conf);
    expect(service.getInstance('NoSuchPolicy').checkAccess(request('bob'))).toEqual({
      allowed: false,
      policy: 'NoSuchPolicy',
      matched: [],
    });
    await eventually(
      () =>
        conf
          .logText()
          .includes(
            "WARN [idp] - No policy named 'NoSuchPolicy' found, returning default denial policy",
          ),
      'the WARN line',
    );
  });

  it('warns about a property naming a policy that does not exist', async () => {
    const conf = policyConf(ERIN_MAY);
    const service = await ReloadableAccessControlService.start({
      confDir: conf.confDir,
      lookup: () => undefined,
      log: conf.log,
      references: [
        { property: 'idp.impersonate.generalPolicy', name: 'GeneralImpersonationPolicy' },
      ],
      watch: false,
      signal: null,
    });
    services.push(service);
    expect(service.status().warnings).toEqual([
      "idp.impersonate.generalPolicy names policy 'GeneralImpersonationPolicy', which conf/access-control.yaml does not define: every such check is denied",
    ]);
  });
});
