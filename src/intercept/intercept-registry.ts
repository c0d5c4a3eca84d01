/**
 * The intercept flows this IdP offers (Shibboleth's shibboleth.AvailableInterceptFlows). To add a
 * flow, implement InterceptFlow and list it here; relying parties then name it in their
 * postAuthenticationFlows. Nothing else changes.
 */
import type { IdpProperties } from '../config/idp-properties.js';
import type { InterceptFlow } from './intercept-flow.js';
import { ImpersonateFlow, type ImpersonateServices } from './impersonate/impersonate-flow.js';

export function availableInterceptFlows(
  props: IdpProperties,
  services: ImpersonateServices,
): InterceptFlow[] {
  return [
    new ImpersonateFlow(
      {
        generalPolicy: props.impersonate.generalPolicy,
        specificPolicy: props.impersonate.specificPolicy,
        tokens: {
          lifetimeMs: props.oidc.impersonationTokenLifetimeMs,
          refreshTokens: props.oidc.impersonationRefreshTokens,
        },
        reason: {
          maxLength: props.impersonate.reasonMaxLength,
          required: props.impersonate.reasonRequired,
        },
        identifyProtected: props.impersonate.identifyProtected,
      },
      services,
    ),
  ];
}
