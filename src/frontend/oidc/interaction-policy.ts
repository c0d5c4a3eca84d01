/**
 * oidc-provider's interaction policy, replaced by one that hands every authorization to the IdP's
 * pipeline: the IdP session — not oidc-provider's — is the SSO authority, and oidc-provider's
 * session only carries the authorization being issued.
 *
 * - An authorization that has not been through the pipeline in this request always asks for
 *   interaction: the browser goes to the interaction endpoint, where the pipeline runs (silently
 *   when it needs no page), so the impersonate form is offered afresh every time.
 * - prompt=none cannot show anything, so it is answered here from a dry run of the pipeline:
 *   login_required without an IdP session (or when oidc-provider's session does not hold the
 *   IdP's real user), interaction_required when the pipeline would show a page — such as the
 *   impersonate form — and otherwise the real user's existing grant is used. It never
 *   impersonates.
 * - prompt=login forces a password, prompt=consent is accepted (see below).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { interactionPolicy } from 'oidc-provider';

const { Check, Prompt } = interactionPolicy;

export type Verdict =
  /** The pipeline ran in this request (resume); nothing more to ask. */
  | 'done'
  /** An interactive request: run the pipeline at the interaction endpoint. */
  | 'pipeline'
  | 'login_required'
  | 'interaction_required';

export function idpInteractionPolicy(
  judge: (ctx: KoaContextWithOIDC) => Promise<Verdict>,
): interactionPolicy.Prompt[] {
  const verdicts = new WeakMap<KoaContextWithOIDC, Promise<Verdict>>();
  const verdict = (ctx: KoaContextWithOIDC) => {
    let v = verdicts.get(ctx);
    if (!v) verdicts.set(ctx, (v = judge(ctx)));
    return v;
  };
  const is = (wanted: Verdict) => async (ctx: KoaContextWithOIDC) =>
    (await verdict(ctx)) === wanted;
  return [
    new Prompt(
      { name: 'login', requestable: true },
      new Check(
        'idp_login_required',
        'the identity provider has no usable session for the end-user',
        'login_required',
        is('login_required'),
      ),
      new Check(
        'idp_interaction_required',
        'the identity provider would have to show the end-user a page',
        'interaction_required',
        is('interaction_required'),
      ),
      new Check(
        'idp_pipeline',
        'every authorization passes through the identity provider pipeline',
        'interaction_required',
        is('pipeline'),
      ),
    ),
    // prompt=consent is accepted (OIDC requires it with offline_access) and resolved by the same
    // pipeline: release is the IdP's attribute filter, which is the consent this IdP has.
    new Prompt({ name: 'consent', requestable: true }),
  ];
}
