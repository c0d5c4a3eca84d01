/**
 * Extension point: a protocol front-end (SAML 2.0 now, OpenID Connect beside it). It decodes a
 * relying party's request into a ProfileRequestContext and, when the pipeline is done, encodes the
 * response. respond() and respondError() must write the audit record (and have it on disk) before
 * anything is sent; if the audit write fails they must send nothing to the relying party.
 */
import type { Request, Response } from 'express';
import type { ProfileRequestContext } from '../profile/profile-request-context.js';

export interface HttpExchange {
  readonly req: Request;
  readonly res: Response;
}

export interface ProtocolFrontEnd {
  readonly id: string;
  respond(exchange: HttpExchange, prc: ProfileRequestContext): Promise<void>;
  /** Tells the relying party the request failed with `event` (an event that is not local). */
  respondError(exchange: HttpExchange, prc: ProfileRequestContext, event: string): Promise<void>;
  /**
   * URLs a form of the IdP may end up at for this request, through redirects after the post
   * (OIDC: the client's redirect URI): the form's page allows them in its CSP form-action.
   */
  formTargets?(prc: ProfileRequestContext): string[];
}
