/**
 * What oidc-provider answers when a store of the IdP fails inside one of its endpoints — the
 * shared Redis behind its adapter or the authorization records (SHARED_STORE_FAILED). Left alone,
 * oidc-provider answers any unexpected error with 500 and "oops! something went wrong"; an IdpError
 * gets its own status (503 for a store: try again later), its error page in a browser
 * (renderError in oidc-front-end.ts), a description naming its code to a program, and a line in
 * the process log. Nothing is issued: the error stopped the endpoint before its response.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { IdpError } from '../../core/errors.js';
import type { ProcessLog } from '../../logging/process-log.js';

export function answerStoreFailures(provider: Provider, log: ProcessLog): void {
  provider.on('server_error', (ctx: KoaContextWithOIDC, err: unknown) => {
    if (!(err instanceof IdpError)) return;
    log.error(`${ctx.oidc?.route ?? ctx.path} failed: ${err.code}: ${err.message}`);
    ctx.status = err.status;
    if (ctx.type !== 'text/html')
      ctx.body = {
        error: 'server_error',
        error_description: `the identity provider could not complete the request (${err.code})`,
      };
  });
}
