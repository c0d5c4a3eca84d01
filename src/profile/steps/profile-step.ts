/** One step of the SSO pipeline (see profile-flow.ts for the order). */
import type { HttpExchange } from '../../frontend/protocol-front-end.js';
import type { FormFields } from '../../intercept/intercept-flow.js';
import type { RelyingParty } from '../../relying-party/relying-party.js';
import type { ProfileRequestContext, ProfileStep as StepName } from '../profile-request-context.js';
import type { ProfileServices } from '../profile-services.js';

export interface StepInput {
  readonly exchange: HttpExchange;
  readonly prc: ProfileRequestContext;
  readonly rp: RelyingParty;
  readonly services: ProfileServices;
}

export type StepResult =
  /** Go on with the next step. */
  | { readonly next: true }
  /** Show a view and wait for the browser. */
  | { readonly view: string; readonly model: Record<string, unknown> }
  /** Stop with a non-proceed event (local error page or error response). */
  | { readonly event: string }
  /** The response has been sent. */
  | { readonly sent: true };

export interface ProfileStepHandler {
  readonly step: StepName;
  /** The step sends the relying party an identity: the subject is re-checked just before it runs. */
  readonly releases?: boolean;
  run(input: StepInput): Promise<StepResult>;
  /** Takes the browser's answer to a view this step showed. */
  resume?(input: StepInput, event: string, form: FormFields): Promise<StepResult>;
}

export const NEXT: StepResult = { next: true };
