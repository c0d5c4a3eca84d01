/**
 * relying-party.yaml, per SAML SP: single logout (docs/logout.md). `wantLogoutMessagesSigned`
 * (default true) refuses the SP's unsigned LogoutRequests and LogoutResponses — anyone could
 * otherwise end a user's session by naming its NameID. `singleLogoutServiceURL` (with
 * `singleLogoutServiceBinding`: redirect, the default, or post) is the SP's logout endpoint, in
 * place of its metadata's SingleLogoutServices.
 */
import type { ConfNode } from '../core/yaml-conf.js';
import type { SloEndpoint } from '../relying-party/saml-endpoints.js';

export const LOGOUT_KEYS = [
  'wantLogoutMessagesSigned',
  'singleLogoutServiceURL',
  'singleLogoutServiceBinding',
] as const;

const BINDINGS: Readonly<Record<string, string>> = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
};

export function singleLogout(
  sp: ConfNode,
  fromMetadata: readonly SloEndpoint[],
): { wantLogoutMessagesSigned: boolean; singleLogoutServices: readonly SloEndpoint[] } {
  return {
    wantLogoutMessagesSigned: sp.boolean('wantLogoutMessagesSigned', true),
    singleLogoutServices: endpoints(sp) ?? fromMetadata,
  };
}

function endpoints(sp: ConfNode): SloEndpoint[] | undefined {
  const location = sp.optionalString('singleLogoutServiceURL');
  const bindingName = sp.string('singleLogoutServiceBinding', 'redirect');
  const binding = BINDINGS[bindingName];
  if (!binding)
    sp.fail(`${bindingName} is no logout binding (redirect or post)`, 'singleLogoutServiceBinding');
  if (location === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(location);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:')
    sp.fail('must be an absolute http(s) URL', 'singleLogoutServiceURL');
  return [{ location, binding }];
}
