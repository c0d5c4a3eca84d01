/**
 * Page and error text from conf/messages.properties (Shibboleth's messages.properties): each event
 * has a message key (src/core/events.ts; a line "ImpersonationViolation = some-key" in the file
 * overrides it), and the key has a ".title" and a ".message". Every lookup has an English fallback
 * so a missing key never breaks a page.
 */
import { EVENTS, type IdpEvent } from '../core/events.js';

export class Messages {
  constructor(private readonly table: ReadonlyMap<string, string>) {}

  text(key: string, fallback = key): string {
    return this.table.get(key) ?? fallback;
  }

  /** Title and message of the error page for an event. */
  forEvent(event: IdpEvent): { title: string; message: string } {
    const key = this.table.get(event) ?? EVENTS[event].messageKey;
    return {
      title: this.text(`${key}.title`, 'Error'),
      message: this.text(`${key}.message`, 'The request could not be completed.'),
    };
  }
}
