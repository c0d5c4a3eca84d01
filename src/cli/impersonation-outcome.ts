/** What `policy explain` and `policy test` say the IdP would do with one impersonation question. */
export type Outcome =
  | 'unknown-user'
  | 'unknown-relying-party'
  | 'flow-not-enabled'
  | 'form-not-offered'
  | 'form-offered'
  | 'invalid-name'
  | 'own-name'
  | 'violation'
  | 'unknown-target'
  | 'protected-target'
  | 'not-allowed-here'
  | 'required-refused'
  | 'level-not-offered'
  | 'previews'
  | 'impersonates'
  | 'delegates';

export const OUTCOME_TEXT: Record<Outcome, string> = {
  'unknown-user': 'the user is not an (enabled) account, so cannot sign in',
  'unknown-relying-party':
    'the relying party is not configured: the IdP refuses its requests (Unknown Service)',
  'flow-not-enabled': 'the relying party does not list impersonate in its postAuthenticationFlows',
  'form-not-offered': 'the general policy denies: the impersonate form is not offered',
  'form-offered': 'the general policy allows: the impersonate form is offered',
  'invalid-name': 'the typed name is refused before any policy sees it',
  'own-name': "the typed name is the user's own: the request proceeds without impersonation",
  violation: 'the specific policy denies: ImpersonationViolation (Access Denied page, audited)',
  'unknown-target':
    'the policies allow it, but there is no such account: UnknownImpersonationTarget',
  'protected-target':
    'the policies allow it, but the account is protected (it can never be impersonated, whatever the policies say): ProtectedImpersonationTarget (Access Denied page, audited)',
  'not-allowed-here':
    "the relying party's impersonation mode is notAllowed: the impersonate flow does nothing there",
  'required-refused':
    'the general policy denies at a relying party that requires impersonation: ImpersonationRequired (error page, audited; never the real user)',
  'level-not-offered':
    'the level is not offered at this relying party (above its cap): the form asks again (InvalidImpersonationLevel)',
  previews:
    'allowed at identify: the tester sees what the relying party would receive as the target; nothing is released',
  impersonates: 'allowed: the relying party receives the target account',
  delegates:
    'allowed at delegate: the relying party receives the target account with the user named as the actor',
};
