/**
 * `npm start`: the IdP and the demo SAML service provider, on the embedded defaults
 * (conf/idp.properties; ports and base URLs overridable from the environment, see the README).
 */
import { startDemoSp } from './demo/demo-sp.js';
import { ConfigurationError } from './errors.js';
import { createIdp } from './idp.js';

async function main(): Promise<void> {
  const idp = await createIdp();
  const props = idp.config.properties;
  await idp.listen();
  await startDemoSp({
    entityID: props.demo.sp.entityID,
    baseURL: props.demo.sp.baseURL,
    port: props.demo.sp.port,
    listenAddress: props.listenAddress,
    idpMetadataURL: `${props.baseURL}/idp/shibboleth`,
  });
  idp.log.info(`Demo SAML service provider: ${props.demo.sp.baseURL}/`);
  console.log(`\n  IdP:      ${props.baseURL}/idp\n  Demo SP:  ${props.demo.sp.baseURL}/   (sign in as alice / demo-alice)\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigurationError) console.error(`Configuration error: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
