/**
 * End to end over HTTP with the real SP (node-saml): an SP registered only through a signed
 * metadata aggregate (relying-party.yaml lists just its entityID) signs in; at a refresh a
 * tampered aggregate is refused, audited, and the SP keeps working on the last good metadata; an
 * aggregate with an SP the YAML lists no longer in it is refused the same way; a valid new
 * aggregate adding a second SP (the provider serves unlisted SPs) takes effect and that SP signs in.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { keyPair, type KeyPair } from '../../support/key-pair.js';
import { aggregate, signAggregate, spEntity } from '../../support/sp-aggregate.js';
import { auditRecord, startTestIdp, type TestIdp } from '../../support/test-idp.js';
import { TestSp } from '../../support/test-sp.js';

const SP1 = 'https://sp1.federation.example.org/shibboleth';
const SP2 = 'https://sp2.federation.example.org/shibboleth';
const ACS1 = 'http://127.0.0.1:9/sp1/acs';
const ACS2 = 'http://127.0.0.1:9/sp2/acs';
const PROVIDER = `
metadataProviders:
  - id: federation
    type: aggregate
    path: federation.xml
    signingCertificate: federation.pem
    serveUnlisted: true
    refreshInterval: PT1S
`;

let federation: KeyPair;
let t: TestIdp;

const signed = (entities: string[], id: string) =>
  signAggregate(aggregate(entities, { id }), federation.privatePem);
const sp1 = () => spEntity(SP1, { acs: ACS1 });
const sp2 = () => spEntity(SP2, { acs: ACS2 });

beforeAll(async () => {
  federation = await keyPair('federation');
  t = await startTestIdp({
    conf: {
      'relying-party.yaml': (old) =>
        `${old.replace('\noidcClients:', `\n  - entityID: ${SP1}\n\noidcClients:`)}\n${PROVIDER}`,
      'federation.xml': signed([sp1()], 'agg-1'),
      'federation.pem': federation.certPem,
    },
  });
});

afterAll(async () => {
  await t.close();
});

/** A full sign-in of `entityID`'s node-saml SP as dave; returns the NameID it validated. */
async function signIn(entityID: string, acsURL: string): Promise<string> {
  const sp = await TestSp.create(t.baseURL, { entityID, acsURL });
  const browser = new Browser();
  const login = await browser.get(await sp.loginURL());
  expect(login.status, login.body.slice(0, 800)).toBe(200);
  const response = await browser.submit(
    login,
    { j_username: 'dave', j_password: 'demo-dave' },
    '_eventId_proceed',
  );
  const profile = await sp.receive(response);
  return profile.nameID;
}

/** The Metadata/Refresh audit records, as field → value. */
const refreshRecords = () =>
  t
    .auditRecords()
    .map((fields) => auditRecord(fields))
    .filter((r) => r.P === 'Metadata/Refresh');

/** Writes the aggregate and waits for the refresh it causes to be audited. */
async function publish(xml: string) {
  const before = refreshRecords().length;
  writeFileSync(path.join(t.confDir, 'federation.xml'), xml);
  for (let waited = 0; waited < 15_000; waited += 100) {
    const records = refreshRecords();
    if (records.length > before) return records.at(-1)!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no metadata refresh was audited');
}

describe('SAML SPs from a signed metadata aggregate', () => {
  it('signs in an SP registered only through the aggregate', async () => {
    expect(await signIn(SP1, ACS1)).not.toBe('');
  });

  it('refuses a tampered aggregate at refresh and keeps the last good metadata', async () => {
    const tampered = signed([sp1()], 'agg-2').replace(ACS1, 'http://127.0.0.1:9/evil/acs');
    const record = await publish(tampered);
    expect(record).toMatchObject({ act: 'reload', e: 'MetadataRefreshFailed' });
    expect(record.det).toContain('provider=federation');
    expect(record.det).toContain('result=kept-previous');
    expect(t.processLog()).toMatch(
      /metadata provider federation .* refresh refused, the last good metadata stays: .*federation\.xml: signature refused: the digest does not match/,
    );
    expect(await signIn(SP1, ACS1)).not.toBe('');
  });

  it('refuses an aggregate that no longer describes an SP relying-party.yaml lists', async () => {
    const record = await publish(signed([sp2()], 'agg-3'));
    expect(record).toMatchObject({ e: 'MetadataRefreshFailed' });
    expect(t.processLog()).toMatch(/is described by no metadata provider/);
    expect(await signIn(SP1, ACS1)).not.toBe('');
    // SP2 was in the refused aggregate only: it is still unknown.
    const sp = await TestSp.create(t.baseURL, { entityID: SP2, acsURL: ACS2 });
    const page = await new Browser().get(await sp.loginURL());
    expect(page.status).toBeGreaterThanOrEqual(400);
  });

  it('takes a valid new aggregate: the SP it adds signs in, the first still does', async () => {
    const record = await publish(signed([sp1(), sp2()], 'agg-4'));
    expect(record).toMatchObject({ act: 'reload', e: '' });
    expect(record.det).toContain('result=loaded');
    expect(await signIn(SP2, ACS2)).not.toBe('');
    expect(await signIn(SP1, ACS1)).not.toBe('');
  });
});
