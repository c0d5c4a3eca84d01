/**
 * The SAML service providers that received an assertion in this IdP session (SAML core §3.7's
 * session participants), for single logout: each with the NameID it was given and the assertion's
 * SessionIndex. Under impersonation that NameID is the target's (bob's transient id when alice
 * acted as bob), and the entry says so: a LogoutRequest naming it ends alice's session, and a
 * propagated LogoutRequest tells the SP to end bob's. Noted only once the assertion's audit record
 * is written; at most MAX_PARTICIPANTS, the oldest dropped. They live and end with the session.
 */
import type { Request } from 'express';

const MAX_PARTICIPANTS = 50;

export interface SamlNameId {
  readonly value: string;
  readonly format: string;
  readonly nameQualifier?: string;
  readonly spNameQualifier?: string;
}

export interface SamlParticipant {
  readonly entityID: string;
  readonly nameId: SamlNameId;
  readonly sessionIndex: string;
  /** The account the assertion was about: the target under impersonation, else the real user. */
  readonly principal: string;
  /** Whether the assertion was an impersonation (principal is then not the session's user). */
  readonly impersonated: boolean;
  /** When it was issued (ms since the epoch). */
  readonly at: number;
}

declare module 'express-session' {
  interface SessionData {
    samlParticipants?: SamlParticipant[];
  }
}

/** Notes an SP that got an assertion in the browser's IdP session (none when nobody is signed in). */
export function noteSamlParticipant(req: Request, participant: SamlParticipant): void {
  const session = req.session;
  if (!session?.idp) return;
  session.samlParticipants = [...(session.samlParticipants ?? []), participant].slice(
    -MAX_PARTICIPANTS,
  );
}

/** The session's participants, oldest first. */
export function samlParticipants(req: Request): readonly SamlParticipant[] {
  return req.session?.idp ? (req.session.samlParticipants ?? []) : [];
}

/**
 * The participant a LogoutRequest from `entityID` names: its NameID value is the one issued, and
 * so are whichever of Format and the qualifiers the request gives. The newest one wins.
 */
export function participantNamed(
  req: Request,
  entityID: string,
  nameId: Partial<SamlNameId> & { readonly value: string },
): SamlParticipant | undefined {
  const same = (given: string | undefined, issued: string | undefined) =>
    given === undefined || given === issued;
  return [...samlParticipants(req)]
    .reverse()
    .find(
      (p) =>
        p.entityID === entityID &&
        p.nameId.value === nameId.value &&
        same(nameId.format, p.nameId.format) &&
        same(nameId.nameQualifier, p.nameId.nameQualifier) &&
        same(nameId.spNameQualifier, p.nameId.spNameQualifier),
    );
}
