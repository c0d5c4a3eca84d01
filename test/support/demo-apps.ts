/**
 * A test IdP with the demo SP and the demo OpenID Connect client of `npm start` beside it, each on
 * a free loopback port, as the browser walk-throughs use them.
 */
import type { Server } from 'node:http';
import { startDemoOidcClient } from '../../src/demo/demo-oidc-client.js';
import { startDemoSp } from '../../src/demo/demo-sp.js';
import { freePort } from './free-port.js';
import { startTestIdp, type TestIdp, type TestIdpOptions } from './test-idp.js';

export interface IdpWithDemoApps {
  readonly t: TestIdp;
  readonly spURL: string;
  readonly rpURL: string;
  close(): Promise<void>;
}

export async function startIdpWithDemoApps(
  conf: TestIdpOptions['conf'] = {},
): Promise<IdpWithDemoApps> {
  const [spPort, rpPort] = [await freePort(), await freePort()];
  const spURL = `http://127.0.0.1:${spPort}`;
  const rpURL = `http://127.0.0.1:${rpPort}`;
  const t = await startTestIdp({
    properties: { 'demo.sp.baseURL': spURL, 'demo.oidc.baseURL': rpURL },
    conf,
  });
  const props = t.idp.config.properties;
  const servers: Server[] = [];
  const { server: sp } = await startDemoSp({
    entityID: props.demo.sp.entityID,
    baseURL: spURL,
    port: spPort,
    listenAddress: '127.0.0.1',
    idpMetadataURL: `${t.baseURL}/idp/shibboleth`,
  });
  servers.push(sp);
  const { server: rp } = await startDemoOidcClient({
    issuer: props.oidc.issuer,
    clientId: props.demo.oidc.clientId,
    clientSecret: props.demo.oidc.clientSecret,
    baseURL: rpURL,
    port: rpPort,
    listenAddress: '127.0.0.1',
  });
  servers.push(rp);
  return {
    t,
    spURL,
    rpURL,
    close: async () => {
      for (const server of servers) server.close();
      await t.close();
    },
  };
}
