/**
 * Bad configuration fails at start-up, before the IdP listens, with a message naming the file
 * (and line) and the key.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { Messages } from '../../src/web/messages.js';

function confWith(changes: Record<string, (old: string) => string>): string {
  const home = mkdtempSync(path.join(tmpdir(), 'conf-'));
  const dir = path.join(home, 'conf');
  cpSync(DEFAULT_CONF_DIR, dir, { recursive: true });
  for (const [file, change] of Object.entries(changes)) {
    writeFileSync(path.join(dir, file), change(readFileSync(path.join(dir, file), 'utf8')));
  }
  return dir;
}

function load(
  confDir: string,
  env: Record<string, string> = {},
  overrides: Record<string, string> = {},
) {
  return loadConfiguration({ home: path.dirname(confDir), confDir, env, overrides });
}

function failure(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw err;
  }
  throw new Error('no configuration error');
}

describe('loadConfiguration', () => {
  it('loads the shipped configuration', () => {
    const config = load(DEFAULT_CONF_DIR);
    expect(config.properties.port).toBe(8080);
    expect(config.properties.impersonate.generalPolicy).toBe('GeneralImpersonationPolicy');
    expect(config.relyingParties.map((rp) => rp.id)).toEqual([
      'https://sp.demo.example.org/shibboleth',
      'demo-rp',
    ]);
    expect(config.relyingParties[0]!.postAuthenticationFlows).toEqual(['impersonate']);
    expect(config.accessControlPolicies.map((p) => p.name)).toEqual([
      'GeneralImpersonationPolicy',
      'SpecificImpersonationPolicy',
      'AccessControlStatusPolicy',
      'AccessControlReloadPolicy',
      'AuditReviewPolicy',
    ]);
    expect(config.localEvents.get('ImpersonationViolation')).toBe(true);
    expect(config.localEvents.get('InvalidCSRFToken')).toBe(false);
    expect(config.audit.format.endsWith('|%UA|%uu|%ut|%utc|%P|%tx|%act|%det|%node')).toBe(true);
  });

  it('lets the environment override properties, and programmatic overrides win over both', () => {
    const config = load(
      DEFAULT_CONF_DIR,
      { IDP_PORT: '9000', DEMO_SP_PORT: '9001', IDP_BASE_URL: 'https://idp.example.org' },
      { 'demo.sp.port': '9002' },
    );
    expect(config.properties.port).toBe(9000);
    expect(config.properties.baseURL).toBe('https://idp.example.org');
    expect(config.properties.entityID).toBe('https://idp.example.org/idp/shibboleth');
    expect(config.properties.session.cookieSecure).toBe(true);
    expect(config.properties.demo.sp.port).toBe(9002);
  });

  it('bounds OIDC impersonation tokens by idp.impersonate.sessionLifetime unless the OIDC property is set', () => {
    const shipped = load(DEFAULT_CONF_DIR).properties;
    expect(shipped.impersonate.sessionLifetimeMs).toBe(600_000);
    expect(shipped.oidc.impersonationTokenLifetimeMs).toBe(600_000);
    const followed = load(DEFAULT_CONF_DIR, {
      IDP_IMPERSONATE_SESSION_LIFETIME: 'PT3M',
    }).properties;
    expect(followed.impersonate.sessionLifetimeMs).toBe(180_000);
    expect(followed.oidc.impersonationTokenLifetimeMs).toBe(180_000);
    const explicit = load(
      DEFAULT_CONF_DIR,
      { IDP_IMPERSONATE_SESSION_LIFETIME: 'PT3M' },
      { 'idp.oidc.impersonation.tokenLifetime': 'PT1H' },
    ).properties;
    expect(explicit.impersonate.sessionLifetimeMs).toBe(180_000);
    expect(explicit.oidc.impersonationTokenLifetimeMs).toBe(3_600_000);
    // A bad value is reported at its own key and source, not at the property that refers to it.
    expect(
      failure(() => load(DEFAULT_CONF_DIR, { IDP_IMPERSONATE_SESSION_LIFETIME: '10 minutes' }))
        .message,
    ).toBe(
      'environment IDP_IMPERSONATE_SESSION_LIFETIME: idp.impersonate.sessionLifetime: must be a positive ISO-8601 duration such as PT10M (got "10 minutes")',
    );
  });

  it('names file, line and key for a bad property value', () => {
    const dir = confWith({ 'idp.properties': (old) => `${old}\nidp.flow.timeout = ten minutes\n` });
    const err = failure(() => load(dir));
    expect(err.message).toMatch(
      /^conf\/idp\.properties:\d+: idp\.flow\.timeout: must be a positive ISO-8601 duration/,
    );
  });

  it('names the environment variable when that is where a bad value came from', () => {
    expect(failure(() => load(DEFAULT_CONF_DIR, { IDP_PORT: 'eighty' })).message).toBe(
      'environment IDP_PORT: idp.port: must be a TCP port number (0-65535) (got "eighty")',
    );
  });

  it('refuses a misspelt property, suggesting the right one', () => {
    const dir = confWith({
      'idp.properties': (old) => `${old}\nidp.impersonate.generalPolicyy = X\n`,
    });
    expect(failure(() => load(dir)).message).toMatch(
      /idp\.impersonate\.generalPolicyy: unknown property \(did you mean idp\.impersonate\.generalPolicy\?\)/,
    );
  });

  it('names file, line and key path for an unknown key in a YAML file', () => {
    const dir = confWith({
      'relying-party.yaml': (old) =>
        old.replace('    nameIDFormat: unspecified', '    nameIdFormat: unspecified'),
    });
    const err = failure(() => load(dir));
    expect(err.message).toMatch(
      /^conf\/relying-party\.yaml:\d+: samlServiceProviders\[0\]\.nameIdFormat: unknown key/,
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const dir = confWith({ 'attribute-filter.yaml': (old) => `${old}\n  - id: [unclosed\n` });
    expect(failure(() => load(dir)).message).toMatch(
      /^conf\/attribute-filter\.yaml:\d+: \(document\):/,
    );
  });

  it('refuses a filter rule naming an attribute the resolver does not define', () => {
    const dir = confWith({
      'attribute-filter.yaml': (old) => old.replace('permit: [uid, mail,', 'permit: [uid, email,'),
    });
    expect(failure(() => load(dir)).message).toMatch(
      /policies\[0\]\.permit: names unknown attribute email/,
    );
  });

  it('refuses an access-control policy whose files do not exist', () => {
    const dir = confWith({
      'access-control.yaml': (old) =>
        old.replace('general-impersonation.policy.csv', 'missing.csv'),
    });
    expect(failure(() => load(dir)).message).toMatch(
      /policies\.GeneralImpersonationPolicy\.policy: file not found/,
    );
  });

  it('refuses an invalid assertion consumer service URL', () => {
    const dir = confWith({
      'relying-party.yaml': (old) => old.replace('"%{demo.sp.baseURL}/saml/acs"', 'not a url'),
    });
    expect(failure(() => load(dir)).message).toMatch(
      /samlServiceProviders\[0\]\.assertionConsumerServiceURL: must be an absolute URL/,
    );
  });

  it('refuses an unknown event in errors.yaml with its file and line, suggesting the nearest event', () => {
    const dir = confWith({
      'errors.yaml': (old) => old.replace('  TermsRejected: true\n', '  TermsRejectd: true\n'),
    });
    const line =
      readFileSync(path.join(dir, 'errors.yaml'), 'utf8')
        .split('\n')
        .indexOf('  TermsRejectd: true') + 1;
    expect(failure(() => load(dir)).message).toBe(
      `conf/errors.yaml:${line}: localEvents.TermsRejectd: unknown event (did you mean TermsRejected?)`,
    );
  });

  it('refuses an event of errors.yaml that is like no event, without a suggestion', () => {
    const dir = confWith({ 'errors.yaml': (old) => `${old}  SomethingElseEntirely: false\n` });
    expect(failure(() => load(dir)).message).toMatch(
      /^conf\/errors\.yaml:\d+: localEvents\.SomethingElseEntirely: unknown event$/,
    );
  });

  it('refuses a message key override in messages.properties for an unknown event', () => {
    const dir = confWith({ 'messages.properties': (old) => `${old}\nAccesDenied = not-found\n` });
    expect(failure(() => load(dir)).message).toMatch(
      /^conf\/messages\.properties:\d+: AccesDenied: unknown event \(did you mean AccessDenied\?\)$/,
    );
  });

  it('lets messages.properties give an event another message key', () => {
    const dir = confWith({ 'messages.properties': (old) => `${old}\nAccessDenied = not-found\n` });
    expect(new Messages(load(dir).messages).forEvent('AccessDenied').title).toBe('Not Found');
    expect(new Messages(load(DEFAULT_CONF_DIR).messages).forEvent('AccessDenied').title).toBe(
      'Access Denied',
    );
  });
});
