/**
 * The policy CLI on the shipped configuration, run as a child process: validate, status, explain
 * (with accounts from the seed file, and from an existing IdP database opened read-only), wrong
 * usage, and broken configurations reported as file:line with a non-zero exit.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { SqliteUserDirectory } from '../../src/directory/sqlite-user-directory.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { openSqliteDatabase } from '../../src/storage/sqlite-database.js';
import { addRows, confCopy, runPolicy } from './run-policy.js';

const DEMO_SP = 'https://sp.demo.example.org/shibboleth';

describe('policy validate', () => {
  it('accepts the shipped configuration', async () => {
    const run = await runPolicy(['validate']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('OK: 5 access-control policies');
    expect(run.stdout).toContain('SpecificImpersonationPolicy: 4 p, 1 g, 1 g2; indexed');
  });

  it('lists every problem of a broken configuration as file:line and fails', async () => {
    const conf = confCopy();
    const policy = path.join(conf, 'access-control/specific-impersonation.policy.csv');
    const marker = readFileSync(policy, 'utf8').trimEnd().split('\n').length; // the new rows go where the end marker was
    addRows(policy, 'p, erin, *, *, impersonate\nq, erin, bob\n');
    const model = path.join(conf, 'access-control/impersonation.model.conf');
    const broken = readFileSync(model, 'utf8').replace(
      'keyMatch(r.sub, p.sub)',
      'keyMach(r.sub, p.sub)',
    );
    writeFileSync(model, broken);
    const matcherLine = broken.split('\n').findIndex((l) => l.startsWith('m = ')) + 1;
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `conf/access-control/impersonation.model.conf:${matcherLine}: [matchers] m: unknown function keyMach()`,
    );
    expect(run.stderr).toContain(
      `conf/access-control/specific-impersonation.policy.csv:${marker}: p: expected 5 values after p (sub, obj, rp, act, eft), found 4`,
    );
    expect(run.stderr).toContain(
      `conf/access-control/specific-impersonation.policy.csv:${marker + 1}: q: unknown policy type "q"`,
    );
    expect(run.stderr).toContain('3 problems: the IdP would not start with this configuration');
  });

  it('refuses a policy file cut short (no end marker), as the IdP would', async () => {
    const conf = confCopy();
    const policy = path.join(conf, 'access-control/specific-impersonation.policy.csv');
    const text = readFileSync(policy, 'utf8');
    const cut = text.slice(0, text.indexOf('g2, admin, group:protected')); // an interrupted save
    writeFileSync(policy, cut);
    const lastLine = cut.trimEnd().split('\n').length; // the last line the file has
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^conf/access-control/specific-impersonation\\.policy\\.csv:${lastLine}: \\(end\\): the file does not end with the line "# end of policy"`,
        'm',
      ),
    );
    expect(run.stderr).toContain('1 problem: the IdP would not start with this configuration');
  });

  it('fails when a property names a policy that does not exist', async () => {
    const conf = confCopy();
    const props = path.join(conf, 'idp.properties');
    writeFileSync(
      props,
      readFileSync(props, 'utf8').replace(
        'idp.impersonate.specificPolicy = SpecificImpersonationPolicy',
        'idp.impersonate.specificPolicy = SpecificImpersonationPolicyy',
      ),
    );
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /conf\/idp\.properties:\d+: idp\.impersonate\.specificPolicy: names policy 'SpecificImpersonationPolicyy', which conf\/access-control\.yaml does not define/,
    );
  });

  it('warns, without failing, of each relying party the attribute filter releases nothing to', async () => {
    const conf = confCopy();
    // The guide's one-file SP (docs/registering-relying-parties.md): its metadata, one YAML line.
    writeFileSync(
      path.join(conf, 'wiki-sp.xml'),
      `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://wiki.example.org/shibboleth">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://wiki.example.org/Shibboleth.sso/SAML2/POST" index="1"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`,
    );
    const rp = path.join(conf, 'relying-party.yaml');
    const client =
      '  - { clientId: reports, clientSecret: reports-secret-0123, redirectUris: [https://reports.example.org/cb] }';
    const yaml = readFileSync(rp, 'utf8').replace(
      '\noidcClients:',
      `\n  - metadataFile: wiki-sp.xml\noidcClients:\n${client}`,
    );
    writeFileSync(rp, yaml);
    const lines = yaml.split('\n');
    const line = lines.indexOf('  - metadataFile: wiki-sp.xml') + 1;
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const warnings = run.stdout.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      `warning: conf/relying-party.yaml:${line}: https://wiki.example.org/shibboleth: no policy in attribute-filter.yaml releases any attribute to this SP (no permit for its entityID or "*"): its responses carry a NameID only`,
      `warning: conf/relying-party.yaml:${lines.indexOf(client) + 1}: reports: no policy in attribute-filter.yaml releases any attribute to this client (no permit for its client id or "*"): its ID tokens carry sub only`,
    ]);
  });

  it('reports a broken access-control.yaml with its line', async () => {
    const conf = confCopy();
    addRows(
      path.join(conf, 'access-control.yaml'),
      '  Extra:\n    model: access-control/impersonation.model.conf\n    polcy: x.csv\n',
    );
    const run = await runPolicy(['validate', '--conf', conf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /conf\/access-control\.yaml:\d+: policies\.Extra\.polcy: unknown key/,
    );
  });
});

describe('policy status', () => {
  it('describes what the IdP would load', async () => {
    const run = await runPolicy(['status']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^GeneralImpersonationPolicy {2}\(conf\/access-control\.yaml:\d+; idp\.impersonate\.generalPolicy\)$/m,
    );
    expect(run.stdout).toContain('  policy  conf/access-control/specific-impersonation.policy.csv');
    expect(run.stdout).toContain('  rules   4 p, 1 g, 1 g2');
    expect(run.stdout).toMatch(/ {2}engine {2}indexed: r\.act == p\.act, g\(r\.sub, p\.sub\)/);
  });

  it('answers in JSON for scripts', async () => {
    const run = await runPolicy(['status', '--json']);
    const status = JSON.parse(run.stdout) as {
      policies: { name: string; rules: Record<string, number>; indexed: boolean }[];
    };
    expect(status.policies.map((p) => [p.name, p.rules.p, p.indexed])).toEqual([
      ['GeneralImpersonationPolicy', 2, true],
      ['SpecificImpersonationPolicy', 4, true],
      ['AccessControlStatusPolicy', 4, true],
      ['AccessControlReloadPolicy', 4, true],
      ['AuditReviewPolicy', 4, true],
    ]);
  });
});

describe('policy explain', () => {
  it('explains an allowed impersonation with the rules and attribute values used', async () => {
    const run = await runPolicy(['explain', '--user', 'alice', '--target', 'bob', '--rp', DEMO_SP]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Directory:      ');
    expect(run.stdout).toContain('demo-users.yaml (in memory');
    expect(run.stdout).toContain('  impersonatableUsernames = bob, carol');
    expect(run.stdout).toContain(
      'GeneralImpersonationPolicy (idp.impersonate.generalPolicy): ALLOW',
    );
    expect(run.stdout).toContain(
      '  decided by conf/access-control/specific-impersonation.policy.csv:6  p, attr:impersonatableUsernames, attr:impersonatableUsernames, attr:impersonatableServices, impersonate, allow',
    );
    expect(run.stdout).toContain('Outcome: YES');
  });

  it('canonicalizes the target as the IdP does and shows the deny that wins', async () => {
    const run = await runPolicy([
      'explain',
      '--user',
      'erin',
      '--target',
      ' ADMIN ',
      '--rp',
      DEMO_SP,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Target:          ADMIN  → admin');
    expect(run.stdout).toContain(
      'SpecificImpersonationPolicy (idp.impersonate.specificPolicy): DENY',
    );
    expect(run.stdout).toContain(
      '  decided by conf/access-control/specific-impersonation.policy.csv:12  p, *, group:protected, *, impersonate, deny',
    );
    expect(run.stdout).toContain(
      '    allow  conf/access-control/specific-impersonation.policy.csv:9  p, role:helpdesk, *, https://*.example.org/**, impersonate, allow',
    );
    expect(run.stdout).toContain(
      'Outcome: NO — the specific policy denies: ImpersonationViolation',
    );
  });

  it('names a protected target: refused by the policy, and by the flag whatever the policy says', async () => {
    const run = await runPolicy([
      'explain',
      '--user',
      'erin',
      '--target',
      'admin',
      '--rp',
      DEMO_SP,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Target:         admin  — PROTECTED account: refused whatever the policies say (ProtectedImpersonationTarget)',
    );
    expect(run.stdout).toContain(
      'Outcome: NO — the specific policy denies: ImpersonationViolation',
    );
  });

  it('refuses a protected target even when a policy row allows it', async () => {
    const conf = confCopy();
    const policy = path.join(conf, 'access-control/specific-impersonation.policy.csv');
    writeFileSync(
      policy,
      readFileSync(policy, 'utf8').replace('p, *, group:protected, *, impersonate, deny\n', ''),
    );
    addRows(policy, 'p, erin, admin, *, impersonate, allow\n');
    const run = await runPolicy([
      'explain',
      '--user',
      'erin',
      '--target',
      'admin',
      '--rp',
      DEMO_SP,
      '--conf',
      conf,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'SpecificImpersonationPolicy (idp.impersonate.specificPolicy): ALLOW',
    );
    expect(run.stdout).toContain('admin  — PROTECTED account');
    expect(run.stdout).toContain(
      'Outcome: NO — the policies allow it, but the account is protected (it can never be impersonated, whatever the policies say): ProtectedImpersonationTarget',
    );
  });

  it('refuses a wildcard target before any policy, as the IdP does', async () => {
    const run = await runPolicy(['explain', '--user', 'erin', '--target', '*', '--rp', DEMO_SP]);
    expect(run.stdout).toContain('refused before any policy: wildcard');
    expect(run.stdout).toContain('Outcome: NO — the typed name is refused');
  });

  it('reads the accounts of an existing IdP database, read-only', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'policy-cli-db-'));
    const seed = path.join(home, 'seed.yaml');
    writeFileSync(
      seed,
      readFileSync(path.join(DEFAULT_CONF_DIR, 'demo-users.yaml'), 'utf8').replace(
        'impersonatableUsernames: [bob, carol]',
        'impersonatableUsernames: [dave]',
      ),
    );
    mkdirSync(path.join(home, 'data'));
    const db = openSqliteDatabase(path.join(home, 'data/idp.db'));
    const { lookup } = loadConfiguration({ home, confDir: DEFAULT_CONF_DIR, env: {} }).properties;
    await SqliteUserDirectory.open(
      db,
      { caseSensitive: false, maxLength: 64 },
      { file: seed, lookup },
    );
    db.close();
    const run = await runPolicy([
      'explain',
      '--user',
      'alice',
      '--target',
      'dave',
      '--rp',
      DEMO_SP,
      '--home',
      home,
    ]);
    expect(run.stdout).toContain(`${path.join(home, 'data/idp.db')} (read-only)`);
    expect(run.stdout).toContain('  impersonatableUsernames = dave');
    expect(run.stdout).toContain('Outcome: YES');
  });

  it('fails for an account the directory does not have', async () => {
    const run = await runPolicy([
      'explain',
      '--user',
      'mallory',
      '--target',
      'bob',
      '--rp',
      DEMO_SP,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'User:           mallory  — NOT an enabled account in the directory',
    );
  });
});

describe('usage', () => {
  it.each([[[]], [['frobnicate']], [['explain', '--user', 'alice']], [['status', '--bogus']]])(
    '%j exits 2 with the usage',
    async (args) => {
      const run = await runPolicy(args);
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).toContain('Usage:');
    },
  );
});
