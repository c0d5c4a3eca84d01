/** conf/errors.yaml: local error events and whether each is audited (Shibboleth's LocalEventMap). */
import type { ConfNode } from '../core/yaml-conf.js';

export function loadLocalEvents(root: ConfNode): Map<string, boolean> {
  root.allowKeys('localEvents');
  const node = root.child('localEvents');
  return new Map(root.entries('localEvents').map(([event]) => [event, node.boolean(event, false)]));
}
