/**
 * One step of the SSO pipeline (see profile-flow.ts for the order). A step is built with the
 * services it uses and nothing else, and states the stage of the request it needs (an
 * authenticated request, a resolved one…); the pipeline checks the stage before running it.
 */
import { IdpError } from '../../core/errors.js';
import type { IdpEvent } from '../../core/events.js';
import type { FormFields } from '../../core/form-fields.js';
import type { HttpExchange } from '../../core/http-exchange.js';
import type { ProfileRequestContext, ProfileStep as StepName } from '../../core/request-context.js';
import type { RelyingParty } from '../../relying-party/relying-party.js';

export interface StepInput<C extends ProfileRequestContext = ProfileRequestContext> {
  readonly exchange: HttpExchange;
  readonly prc: C;
  readonly rp: RelyingParty;
}

export type StepResult =
  /** Go on with the next step. */
  | { readonly next: true }
  /** Show a view and wait for the browser. */
  | { readonly view: string; readonly model: Record<string, unknown> }
  /** Stop with a non-proceed event (local error page or error response). */
  | { readonly event: IdpEvent }
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

/** A step's own definition, written against the stage of the request it needs. */
export interface StageStep<C extends ProfileRequestContext> {
  readonly step: StepName;
  readonly releases?: boolean;
  run(input: StepInput<C>): Promise<StepResult>;
  resume?(input: StepInput<C>, event: string, form: FormFields): Promise<StepResult>;
}

/**
 * Makes a pipeline step of a stage step: the request must have reached `stage` (a type guard such
 * as isAuthenticated) — anything else is a defect of the pipeline, not of the request.
 */
export function atStage<C extends ProfileRequestContext>(
  stage: (prc: ProfileRequestContext) => prc is C,
  definition: StageStep<C>,
): ProfileStepHandler {
  const narrow = (input: StepInput): StepInput<C> => {
    const { prc } = input;
    if (!stage(prc))
      throw new IdpError(
        'INTERNAL',
        `the ${definition.step} step was reached before its stage (${stage.name})`,
      );
    return { exchange: input.exchange, rp: input.rp, prc };
  };
  const resume = definition.resume?.bind(definition);
  return {
    step: definition.step,
    releases: definition.releases,
    run: (input) => definition.run(narrow(input)),
    resume: resume && ((input, event, form) => resume(narrow(input), event, form)),
  };
}

/** Any request may enter the first step. */
export function anyStage(_prc: ProfileRequestContext): _prc is ProfileRequestContext {
  return true;
}

export const NEXT: StepResult = { next: true };
