/**
 * The impersonate flow's states (impersonate-flow.ts draws them): what each one has to work with,
 * and what a state may answer — the next state with its data, a view, or the flow's end.
 */
import type { InterceptContext, InterceptOutcome } from '../intercept-flow.js';
import type { LookedUpTarget, NamedTarget, PermittedTarget } from './impersonation-decision.js';
import type { Choice } from './impersonation-level.js';
import type { PreviewState } from './impersonate-preview.js';
import type { FormInput } from './impersonate-refusal.js';
import type { ViewData } from './impersonate-view.js';

/** What each state has to work with. */
export interface StateData {
  readonly CheckGeneralAccess: Record<never, never>;
  /** After a refused value or a preview: what was typed, and the message key saying why. */
  readonly ImpersonateView: ViewData;
  readonly CheckForImpersonation: FormInput;
  readonly CanonicalizeName: FormInput;
  readonly CheckChoice: FormInput & { readonly target: NamedTarget };
  readonly LookUpTarget: { readonly target: NamedTarget; readonly choice: Choice };
  readonly CheckSpecificAccess: { readonly target: LookedUpTarget; readonly choice: Choice };
  readonly Preview: { readonly target: PermittedTarget; readonly input: PreviewState };
  readonly DoImpersonate: { readonly target: PermittedTarget; readonly choice: Choice };
}
export type StateName = keyof StateData;
export type Goto<S extends StateName = StateName> = {
  [K in S]: { readonly to: K; readonly data: StateData[K] };
}[S];
export type Transition = Goto | InterceptOutcome;
export type States = {
  readonly [S in StateName]: (
    ctx: InterceptContext,
    data: StateData[S],
  ) => Transition | Promise<Transition>;
};
