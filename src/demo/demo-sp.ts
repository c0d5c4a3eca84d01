/**
 * The demo SAML service provider started by `npm start`: a separate express app using
 * @node-saml/node-saml (an SP implementation nobody here wrote) that signs in through the IdP and
 * shows the NameID and attributes it received, after checking the response's signatures, audience,
 * recipient, validity window and InResponseTo. A delegated identity (the IdP's impersonation level
 * delegate) is shown with a banner naming who acts for the subject (delegation.ts).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  SAML,
  ValidateInResponseTo,
  type CacheItem,
  type CacheProvider,
  type Profile,
} from '@node-saml/node-saml';
import { VIEWS_DIR } from '../core/paths.js';
import { ACTOR_ATTRIBUTE, actorOf } from './delegation.js';
import { fetchIdpMetadata, type IdpMetadata } from './idp-metadata.js';

export interface DemoSpOptions {
  readonly entityID: string;
  readonly baseURL: string;
  readonly port: number;
  readonly listenAddress: string;
  readonly idpMetadataURL: string;
}

const FRIENDLY_NAMES: Record<string, string> = {
  'urn:oid:0.9.2342.19200300.100.1.1': 'uid',
  'urn:oid:0.9.2342.19200300.100.1.3': 'mail',
  'urn:oid:2.16.840.1.113730.3.1.241': 'displayName',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'eduPersonPrincipalName',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'eduPersonAffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': 'eduPersonEntitlement',
  [ACTOR_ATTRIBUTE]: 'actor',
};

export function createDemoSpApp(options: DemoSpOptions): express.Express {
  // One SAML object per ForceAuthn setting (node-saml fixes it at construction), sharing the cache
  // of outstanding request IDs so either can validate the answer to the other's request.
  const cacheProvider = new RequestIdCache();
  let metadata: Promise<IdpMetadata> | undefined;
  const sp = async (forceAuthn: boolean) => {
    metadata ??= fetchIdpMetadata(options.idpMetadataURL).catch((err: unknown) => {
      metadata = undefined;
      throw err;
    });
    const md = await metadata;
    return new SAML({
      issuer: options.entityID,
      callbackUrl: `${options.baseURL}/saml/acs`,
      entryPoint: md.ssoRedirectURL,
      idpIssuer: md.entityID,
      // Every published signing certificate: a key rollover at the IdP needs no change here.
      idpCert: [...md.certificates],
      audience: options.entityID,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.always,
      cacheProvider,
      disableRequestedAuthnContext: true,
      identifierFormat: null,
      forceAuthn,
    });
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.get('/', (_req, res) => res.render('demo/sp-home', { entityID: options.entityID }));
  app.get('/login', async (req, res) => {
    const url = await (
      await sp(req.query.forceAuthn === '1')
    ).getAuthorizeUrlAsync('demo-relay-state', undefined, {});
    res.redirect(url);
  });
  app.post(
    '/saml/acs',
    express.urlencoded({ extended: false, limit: '512kb' }),
    async (req, res) => {
      try {
        const { profile } = await (
          await sp(false)
        ).validatePostResponseAsync(req.body as Record<string, string>);
        res.render('demo/sp-result', {
          entityID: options.entityID,
          relayState: (req.body as { RelayState?: string }).RelayState,
          ...describe(profile),
        });
      } catch (err) {
        res
          .status(400)
          .render('demo/sp-error', { entityID: options.entityID, message: (err as Error).message });
      }
    },
  );
  return app;
}

function describe(profile: Profile | null) {
  const attributes: { name: string; friendlyName?: string; values: string[] }[] = [];
  for (const [name, value] of Object.entries(profile?.attributes ?? {})) {
    const values = (Array.isArray(value) ? value : [value]).map((v) =>
      typeof v === 'string' ? v : JSON.stringify(v),
    );
    attributes.push({ name, friendlyName: FRIENDLY_NAMES[name], values });
  }
  return {
    nameID: profile?.nameID ?? '',
    nameIDFormat: profile?.nameIDFormat ?? '',
    issuer: profile?.issuer ?? '',
    actor: actorOf(profile),
    attributes,
  };
}

export async function startDemoSp(
  options: DemoSpOptions,
): Promise<{ server: Server; port: number }> {
  const server = createDemoSpApp(options).listen(options.port, options.listenAddress);
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/** Outstanding AuthnRequest IDs (node-saml's CacheProvider); each answered at most once. */
class RequestIdCache implements CacheProvider {
  private readonly items = new Map<string, CacheItem>();

  saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const cutoff = Date.now() - 10 * 60_000;
    for (const [k, item] of this.items) if (item.createdAt < cutoff) this.items.delete(k);
    const item = { value, createdAt: Date.now() };
    this.items.set(key, item);
    return Promise.resolve(item);
  }

  getAsync(key: string): Promise<string | null> {
    return Promise.resolve(this.items.get(key)?.value ?? null);
  }

  removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return Promise.resolve(null);
    const item = this.items.get(key);
    this.items.delete(key);
    return Promise.resolve(item?.value ?? null);
  }
}
