/**
 * What a posted IdP form yields: string fields only, a field sent twice refused (which one would be
 * the password?), and the event of the pressed button in either Spring Web Flow spelling.
 */
import { describe, expect, it } from 'vitest';
import { IdpError } from '../../src/core/errors.js';
import { eventOf, formOf } from '../../src/core/form-fields.js';

describe('formOf', () => {
  it('keeps the string fields', () => {
    expect(formOf({ j_username: 'alice', j_password: 'pw', csrf_token: 't' })).toEqual({
      j_username: 'alice',
      j_password: 'pw',
      csrf_token: 't',
    });
  });

  it('keeps an empty field (an empty password is a field, not a missing one)', () => {
    expect(formOf({ j_password: '' })).toEqual({ j_password: '' });
  });

  it("drops values that are not strings (an extended parser's objects, numbers)", () => {
    expect(formOf({ a: 'x', b: { nested: 'y' }, c: 3, d: null })).toEqual({ a: 'x' });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'a=b'],
    ['a number', 7],
  ])('gives no fields for a body that is %s', (_what, body) => {
    expect(formOf(body)).toEqual({});
  });

  it('refuses a field sent twice as MESSAGE_MALFORMED naming the field', () => {
    let caught: unknown;
    try {
      formOf({ j_username: 'alice', j_password: ['one', 'two'] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IdpError);
    expect((caught as IdpError).code).toBe('MESSAGE_MALFORMED');
    expect((caught as IdpError).status).toBe(400);
    expect((caught as IdpError).message).toBe(
      'the form field "j_password" was sent more than once',
    );
  });
});

describe('eventOf', () => {
  it('reads the event from a button named _eventId_<event>', () => {
    expect(eventOf({ csrf_token: 't', _eventId_proceed: 'Continue' })).toBe('proceed');
    expect(eventOf({ _eventId_impersonate: '' })).toBe('impersonate');
  });

  it('reads the event from a field _eventId=<event>', () => {
    expect(eventOf({ _eventId: 'cancel' })).toBe('cancel');
  });

  it('prefers a pressed _eventId_<event> button over an _eventId field', () => {
    expect(eventOf({ _eventId: 'cancel', _eventId_proceed: '1' })).toBe('proceed');
  });

  it('is empty when the form signals no event', () => {
    expect(eventOf({ j_username: 'alice' })).toBe('');
    expect(eventOf({})).toBe('');
  });
});
