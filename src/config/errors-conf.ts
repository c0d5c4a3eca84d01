/**
 * conf/errors.yaml: local error events and whether each is audited (Shibboleth's LocalEventMap).
 * Only events of the IdP (src/core/events.ts) may be listed: anything else is a typo.
 */
import { IDP_EVENTS, isIdpEvent, type IdpEvent } from '../core/events.js';
import type { ConfNode } from '../core/yaml-conf.js';
import { closest } from './suggestions.js';

export function loadLocalEvents(root: ConfNode): Map<IdpEvent, boolean> {
  root.allowKeys('localEvents');
  const node = root.child('localEvents');
  return new Map(
    root.entries('localEvents').map(([event]): [IdpEvent, boolean] => {
      if (!isIdpEvent(event)) {
        const hint = closest(event, IDP_EVENTS);
        throw node.error(`unknown event${hint ? ` (did you mean ${hint}?)` : ''}`, event);
      }
      return [event, node.boolean(event, false)];
    }),
  );
}
