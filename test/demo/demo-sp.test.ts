/**
 * The demo SAML SP of `npm start` (node-saml): its start page, the AuthnRequest it sends to the
 * SSO endpoint read from the IdP's real metadata (with ForceAuthn on request), metadata fetched
 * once — and again after a failed fetch — and a response it cannot verify shown as an error page;
 * a delegated identity (the actor in the Delegation Restriction condition or the actor attribute)
 * shown with an escaped banner. The whole sign-in is test/e2e/demo-walkthrough.test.ts (and, for
 * delegation, test/frontend/saml/saml-delegation.test.ts).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { parse } from 'node-html-parser';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoSpApp } from '../../src/demo/demo-sp.js';
import type { AttributeDefinition } from '../../src/attribute/attribute-resolver.js';
import type { XmlSigningKey } from '../../src/credentials/signing-credential.js';
import { SamlEntities } from '../../src/frontend/saml/saml-entities.js';
import {
  samlId,
  successResponseXml,
  type AssertionContent,
} from '../../src/frontend/saml/saml-response.js';
import { serve, type Served } from '../support/local-server.js';

const ENTITY_ID = 'https://demo-sp.example.org/shibboleth';
const IDP_ENTITY_ID = 'https://idp.example.org/idp/shibboleth';
const IDP_BASE = 'https://idp.example.org';

let idpMetadata: string;
let idpKey: XmlSigningKey;
/** The IdP's metadata endpoint: answers 503 while `metadataDown`, and counts the requests. */
let metadataServer: Served;
let metadataDown = false;
let metadataFetches = 0;
let sp: Served;
const SP_BASE = 'https://demo-sp.example.net:8443';

beforeAll(async () => {
  // RSA: the delegation tests sign responses with it, as the IdP does.
  const { private: key, cert } = await generate([{ name: 'commonName', value: 'idp' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  idpKey = {
    privateKey: createPrivateKey(key),
    certificateBase64: new X509Certificate(cert).raw.toString('base64'),
  };
  idpMetadata = await new SamlEntities(
    IDP_ENTITY_ID,
    IDP_BASE,
    { privateKey: key, certificate: cert, xml: idpKey },
    {
      scope: 'example.org',
      metadata: { validityMs: 86_400_000, cacheDurationMs: 3_600_000, sign: false, contacts: [] },
    },
  ).metadata();
  metadataServer = await serve((_req, res) => {
    metadataFetches++;
    if (metadataDown) {
      res.writeHead(503).end('busy');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idpMetadata);
  });
  sp = await serve(
    createDemoSpApp({
      entityID: ENTITY_ID,
      baseURL: SP_BASE,
      port: 0,
      listenAddress: '127.0.0.1',
      idpMetadataURL: `${metadataServer.url}/idp/shibboleth`,
    }),
  );
});

afterAll(async () => {
  await sp?.close();
  await metadataServer?.close();
});

/** The AuthnRequest XML and RelayState of a redirect to the IdP's Redirect-binding SSO endpoint. */
function authnRequestOf(location: string) {
  const url = new URL(location);
  const samlRequest = url.searchParams.get('SAMLRequest');
  expect(samlRequest).not.toBeNull();
  return {
    endpoint: `${url.origin}${url.pathname}`,
    relayState: url.searchParams.get('RelayState'),
    xml: inflateRawSync(Buffer.from(samlRequest!, 'base64')).toString('utf8'),
  };
}

describe('the demo SP', () => {
  it('shows its start page with its entity ID and the two sign-in links', async () => {
    const response = await fetch(`${sp.url}/`);
    expect(response.status).toBe(200);
    const html = parse(await response.text());
    expect(html.querySelector('h1')?.text).toBe('Demo SAML Service Provider');
    expect(html.querySelector('code')?.text).toBe(ENTITY_ID);
    expect(html.querySelector('#login')?.getAttribute('href')).toBe('/login');
    expect(html.querySelector('#login-force')?.getAttribute('href')).toBe('/login?forceAuthn=1');
  });

  it('signs in at the SSO endpoint of the IdP metadata with an AuthnRequest for itself', async () => {
    const response = await fetch(`${sp.url}/login`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const { endpoint, relayState, xml } = authnRequestOf(response.headers.get('location')!);
    expect(endpoint).toBe(`${IDP_BASE}/idp/profile/SAML2/Redirect/SSO`);
    expect(relayState).toBe('demo-relay-state');
    expect(xml).toMatch(new RegExp(`<saml:Issuer[^>]*>${ENTITY_ID}</saml:Issuer>`));
    expect(xml).toContain(`AssertionConsumerServiceURL="${SP_BASE}/saml/acs"`);
    expect(xml).toContain(`Destination="${IDP_BASE}/idp/profile/SAML2/Redirect/SSO"`);
    expect(xml).not.toContain('ForceAuthn="true"');
  });

  it('asks for ForceAuthn when the start page asks', async () => {
    const response = await fetch(`${sp.url}/login?forceAuthn=1`, { redirect: 'manual' });
    expect(authnRequestOf(response.headers.get('location')!).xml).toContain('ForceAuthn="true"');
  });

  it('sends a new request ID each time', async () => {
    const ids = await Promise.all(
      [1, 2].map(async () => {
        const response = await fetch(`${sp.url}/login`, { redirect: 'manual' });
        return /\bID="([^"]+)"/.exec(authnRequestOf(response.headers.get('location')!).xml)?.[1];
      }),
    );
    expect(ids[0]).toBeDefined();
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('shows a response it cannot verify as a sign-in failure', async () => {
    const garbage = Buffer.from(
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
    ).toString('base64');
    const response = await fetch(`${sp.url}/saml/acs`, {
      method: 'POST',
      body: new URLSearchParams({ SAMLResponse: garbage, RelayState: 'demo-relay-state' }),
    });
    expect(response.status).toBe(400);
    const html = parse(await response.text());
    expect(html.querySelector('h1')?.text).toBe('Sign-in failed');
    expect(html.querySelector('#error')?.text.trim()).not.toBe('');
  });

  it('shows a post without a response as a sign-in failure', async () => {
    const response = await fetch(`${sp.url}/saml/acs`, {
      method: 'POST',
      body: new URLSearchParams({ RelayState: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(parse(await response.text()).querySelector('h1')?.text).toBe('Sign-in failed');
  });
});

describe('the demo SP and the IdP metadata', () => {
  it('reads the metadata once, and again after a fetch failed', async () => {
    const down = await serve(
      createDemoSpApp({
        entityID: ENTITY_ID,
        baseURL: SP_BASE,
        port: 0,
        listenAddress: '127.0.0.1',
        idpMetadataURL: `${metadataServer.url}/idp/shibboleth`,
      }),
    );
    try {
      metadataDown = true;
      const before = metadataFetches;
      expect((await fetch(`${down.url}/login`, { redirect: 'manual' })).status).toBe(500);
      expect(metadataFetches).toBe(before + 1);

      metadataDown = false;
      expect((await fetch(`${down.url}/login`, { redirect: 'manual' })).status).toBe(302);
      expect((await fetch(`${down.url}/login`, { redirect: 'manual' })).status).toBe(302);
      expect(metadataFetches).toBe(before + 2);
    } finally {
      metadataDown = false;
      await down.close();
    }
  });
});

describe('the demo SP and a delegated identity', () => {
  const ACTOR_DEFINITION = {
    id: 'actor',
    saml2: {
      name: 'urn:x-idp-impersonate:actor',
      nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    },
  } as AttributeDefinition;

  /** Signs in at the demo SP and posts it a signed response for `nameId` built with `extra`. */
  async function signedIn(nameId: string, extra: Partial<AssertionContent>) {
    const login = await fetch(`${sp.url}/login`, { redirect: 'manual' });
    const { xml: request } = authnRequestOf(login.headers.get('location')!);
    const now = Date.now();
    const response = await successResponseXml(
      {
        responseId: samlId(),
        assertionId: samlId(),
        issuer: IDP_ENTITY_ID,
        destination: `${SP_BASE}/saml/acs`,
        audience: ENTITY_ID,
        inResponseTo: /\bID="([^"]+)"/.exec(request)![1]!,
        nameId,
        nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        authnInstant: now,
        authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
        sessionIndex: samlId(),
        attributes: [],
        now,
        ...extra,
      },
      { assertion: true, response: true },
      idpKey,
    );
    const result = await fetch(`${sp.url}/saml/acs`, {
      method: 'POST',
      body: new URLSearchParams({
        SAMLResponse: Buffer.from(response).toString('base64'),
        RelayState: 'demo-relay-state',
      }),
    });
    expect(result.status).toBe(200);
    const body = await result.text();
    return { body, html: parse(body) };
  }

  it('shows who acted from the Delegation Restriction condition, escaped', async () => {
    const { body, html } = await signedIn('<b>bob</b>', {
      delegate: { actor: '<script>alert(1)</script>', instant: Date.now() },
    });
    expect(html.querySelector('#delegation')?.text).toBe(
      '<b>bob</b> — acted by <script>alert(1)</script>',
    );
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<b>bob');
  });

  it('shows who acted from the actor attribute when the assertion has no condition', async () => {
    const { html } = await signedIn('bob', {
      attributes: [{ definition: ACTOR_DEFINITION, values: ['alice'] }],
    });
    expect(html.querySelector('#delegation')?.text).toBe('bob — acted by alice');
    expect(html.querySelector('tr[data-attribute=actor] td:last-child')?.text).toBe('alice');
  });

  it('shows no banner for an identity that is not delegated', async () => {
    const { html } = await signedIn('bob', {});
    expect(html.querySelector('#nameid')?.text).toBe('bob');
    expect(html.querySelector('#delegation')).toBeNull();
  });
});
