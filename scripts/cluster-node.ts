/**
 * One IdP node of `npm run cluster` (scripts/cluster.ts): the IdP alone, without the demo apps,
 * configured by the environment the cluster script sets (IDP_HOME, IDP_PORT, IDP_NODE_ID, …).
 * Tells its parent when it listens; SIGHUP reloads its policies, SIGTERM stops it.
 */
import { inspect } from 'node:util';
import { createIdp } from '../src/idp.js';
import { safeLines } from '../src/logging/process-log.js';

const idp = await createIdp({ reloadSignal: 'SIGHUP', console: false }).catch((err: unknown) => {
  console.error(safeLines(inspect(err)));
  process.exit(1);
});
const port = await idp.listen();
process.send?.({ listening: port });
process.once('SIGTERM', () => {
  idp.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(safeLines(inspect(err)));
      process.exit(1);
    },
  );
});
