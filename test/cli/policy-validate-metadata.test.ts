/**
 * `policy validate` reads metadata providers as the IdP does at start-up: a signed aggregate that
 * verifies with its configured certificate passes; the same aggregate changed after signing fails
 * with the provider's file:line:key and the file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyPair, type KeyPair } from '../support/key-pair.js';
import { confWithRps, lineOf } from '../support/rp-conf.js';
import { aggregate, signAggregate, spEntity } from '../support/sp-aggregate.js';
import { runPolicy } from './run-policy.js';

const SP = 'https://fed-sp.example.org/shibboleth';
const PROVIDER =
  '\nmetadataProviders:\n  - id: federation\n    type: aggregate\n    path: federation.xml\n    signingCertificate: federation.pem\n';

let federation: KeyPair;
beforeAll(async () => {
  federation = await keyPair('federation');
});

const confWith = (aggregateXml: string) =>
  confWithRps(
    {
      saml: `  - entityID: ${SP}`,
      edit: (t) => t + PROVIDER,
      files: { 'federation.xml': aggregateXml, 'federation.pem': federation.certPem },
    },
    mkdtempSync(path.join(tmpdir(), 'policy-cli-md-')),
  );

describe('policy validate with a signed metadata aggregate', () => {
  it('accepts an aggregate that verifies, and refuses it once changed', async () => {
    const signed = signAggregate(
      aggregate([spEntity(SP, { acs: 'https://fed-sp.example.org/acs' })]),
      federation.privatePem,
    );
    const good = await runPolicy(['validate', '--conf', confWith(signed)]);
    expect(good).toMatchObject({ code: 0, stderr: '' });

    const conf = confWith(signed.replace('fed-sp.example.org/acs', 'evil.example.org/acs'));
    const bad = await runPolicy(['validate', '--conf', conf]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `conf/relying-party.yaml:${lineOf(conf, 'path: federation.xml')}: metadataProviders[0].path: ${path.join(conf, 'federation.xml')}: signature refused: the digest does not match`,
    );
  });
});
