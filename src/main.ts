/**
 * `npm start`: the IdP, the demo SAML service provider and the demo OpenID Connect client, on the
 * embedded defaults (conf/idp.properties; ports and base URLs overridable from the environment,
 * see the README).
 */
import { inspect } from 'node:util';
import { startDemoOidcClient } from './demo/demo-oidc-client.js';
import { startDemoSp } from './demo/demo-sp.js';
import { ConfigurationError, IdpError } from './core/errors.js';
import { createIdp } from './idp.js';
import { safeLines } from './logging/process-log.js';

async function main(): Promise<void> {
  const idp = await createIdp({ reloadSignal: 'SIGHUP' });
  const props = idp.config.properties;
  await idp.listen();
  await startDemoSp({
    entityID: props.demo.sp.entityID,
    baseURL: props.demo.sp.baseURL,
    port: props.demo.sp.port,
    listenAddress: props.listenAddress,
    idpMetadataURL: `${props.baseURL}/idp/shibboleth`,
  });
  await startDemoOidcClient({
    issuer: props.oidc.issuer,
    clientId: props.demo.oidc.clientId,
    clientSecret: props.demo.oidc.clientSecret,
    baseURL: props.demo.oidc.baseURL,
    port: props.demo.oidc.port,
    listenAddress: props.listenAddress,
  });
  const log = idp.log.child('demo');
  log.info(`Demo SAML service provider: ${props.demo.sp.baseURL}/`);
  log.info(`Demo OpenID Connect client: ${props.demo.oidc.baseURL}/`);
  console.log(
    [
      '',
      `  IdP:                 ${props.baseURL}/idp   (OpenID Provider: ${props.oidc.issuer}/.well-known/openid-configuration)`,
      `  Demo SAML SP:        ${props.demo.sp.baseURL}/`,
      `  Demo OIDC client:    ${props.demo.oidc.baseURL}/`,
      '  Sign in as alice / demo-alice to impersonate bob or carol; see the README for the other accounts.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  // A message may quote a configuration file's bytes: escape them, as the process log does.
  if (err instanceof ConfigurationError)
    console.error(`Configuration error: ${safeLines(err.message)}`);
  // A service the IdP cannot start without (Redis) said why: that is the whole message.
  else if (err instanceof IdpError && err.code === 'SHARED_STORE_FAILED')
    console.error(`Cannot start: ${safeLines(err.message)}`);
  else console.error(safeLines(inspect(err)));
  process.exit(1);
});
