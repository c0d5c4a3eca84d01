/**
 * What a browser posts back to one of the IdP's forms: the fields by name, and the event the
 * pressed button signals (Spring Web Flow's convention, as in Shibboleth's views).
 */
import { IdpError } from './errors.js';

export type FormFields = Readonly<Record<string, string>>;

/** The posted fields; a field given twice is ambiguous (which one is the password?) and refused. */
export function formOf(body: unknown): FormFields {
  const form: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return form;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') form[k] = v;
    else if (Array.isArray(v))
      throw new IdpError(
        'MESSAGE_MALFORMED',
        `the form field ${JSON.stringify(k)} was sent more than once`,
      );
  }
  return form;
}

/** A field named _eventId_<event>, or _eventId=<event>. */
export function eventOf(form: FormFields): string {
  for (const name of Object.keys(form))
    if (name.startsWith('_eventId_')) return name.slice('_eventId_'.length);
  return form._eventId ?? '';
}
