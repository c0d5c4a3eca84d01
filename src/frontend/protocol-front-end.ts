/**
 * Extension point: a protocol front-end (SAML 2.0 and OpenID Connect now). It serves its
 * endpoints, decodes a relying party's request into a ProfileRequestContext and hands it to the
 * profile pipeline, and, when the pipeline is done, encodes the response. respond() and
 * respondError() must write the audit record (and have it on disk) before anything is sent; if the
 * audit write fails they must send nothing to the relying party.
 *
 * To add a front-end: implement this interface in a folder beside saml/ and oidc/ and list it in
 * src/idp.ts; the pipeline, the app and the error handling do not change.
 */
import type { RequestHandler, Router } from 'express';
import type { IdpEvent } from '../core/events.js';
import type { HttpExchange } from '../core/http-exchange.js';
import type {
  ProfileRequestContext,
  ProfileStep,
  ResolvedContext,
  SubjectContext,
} from '../core/request-context.js';

export interface ProtocolFrontEnd {
  readonly id: string;
  /** The paths its routes serve (prefixes are enough): matched case-sensitively by the app. */
  readonly paths: readonly string[];
  /** Paths that never touch the session store (metadata, keys), so they answer when it is busy. */
  readonly sessionlessPaths: readonly string[];
  /** Middleware that must run before anything else the IdP does with a request (SAML's admission gate). */
  admission?(): RequestHandler;
  /** The front-end's endpoints, driving requests through `pipeline`. */
  routes(pipeline: ProfilePipeline): Router;
  respond(exchange: HttpExchange, prc: ResolvedContext): Promise<void>;
  /** Tells the relying party the request failed with `event` (an event that is not local). */
  respondError(exchange: HttpExchange, prc: ProfileRequestContext, event: IdpEvent): Promise<void>;
  /**
   * URLs a form of the IdP may end up at for this request, through redirects after the post
   * (OIDC: the client's redirect URI): the form's page allows them in its CSP form-action.
   */
  formTargets?(prc: ProfileRequestContext): string[];
}

/** What a front-end may ask of the profile pipeline (profile/profile-flow.ts). */
export interface ProfilePipeline {
  /** A new request from a relying party. */
  start(exchange: HttpExchange, prc: ProfileRequestContext): Promise<void>;
  /** A cross-site POST: park the request and re-enter with a GET that carries the session cookie. */
  parkInbound(exchange: HttpExchange, prc: ProfileRequestContext): Promise<void>;
  /** The browser came back with ?execution=<key>. */
  continue(exchange: HttpExchange, key: string): Promise<void>;
  /** Who a passive request would be answered for, or the event that stops it; nothing is shown or sent. */
  dryRun(exchange: HttpExchange, prc: ProfileRequestContext): Promise<DryRunResult>;
}

export type DryRunResult =
  | { readonly event: IdpEvent; readonly step: ProfileStep }
  | { readonly ready: true; readonly subject: SubjectContext };
