/**
 * Page and error text from conf/messages.properties (Shibboleth's messages.properties): an event id
 * maps to a message key ("ImpersonationViolation = impersonation-violation"), and the key has a
 * ".title" and a ".message". Every lookup has an English fallback so a missing key never breaks a page.
 */
export class Messages {
  constructor(private readonly table: ReadonlyMap<string, string>) {}

  text(key: string, fallback = key): string {
    return this.table.get(key) ?? fallback;
  }

  /** Title and message of the error page for an event. */
  forEvent(event: string): { title: string; message: string } {
    const key = this.table.get(event) ?? 'runtime-error';
    return {
      title: this.text(`${key}.title`, 'Error'),
      message: this.text(`${key}.message`, 'The request could not be completed.'),
    };
  }
}
