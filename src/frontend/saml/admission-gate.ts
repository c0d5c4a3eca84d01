/**
 * The cap on SAML SSO requests being decoded and processed at once (idp.saml.inbound.maxConcurrent).
 * A new request takes a place before its body is read and gives it back when its handler ends; a
 * request that finds no place is refused at once with 503 and Retry-After, having cost a counter
 * check. The issuer of a request is public (it is in metadata), so being a known SP buys nothing
 * here: the cap is global.
 *
 * What this bounds is memory and in-progress work: every admitted request holds at most one body
 * (idp.saml.inbound.maxMessageSize in proportion) and one parsed message, so the SAML front-end
 * holds at most maxConcurrent of them, however many connections arrive. CPU per request is bounded
 * by the size limits and the cost of the checks (a fraction of a millisecond), not by this gate.
 */
import type { Response } from 'express';
import { IdpError } from '../../errors.js';

export const RETRY_AFTER_SECONDS = 2;

export class AdmissionGate {
  private active = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  /** A release function (safe to call twice), or undefined when the cap is reached. */
  tryEnter(): (() => void) | undefined {
    if (this.active >= this.limit) return undefined;
    this.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
    };
  }

  /** The refusal of a request over the cap; the caller passes it to the error handler. */
  refusal(res: Response): IdpError {
    res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    // The body, if any, is never read: close the connection rather than drain it.
    res.set('Connection', 'close');
    return new IdpError('REQUEST_CAPACITY_EXCEEDED', `more than ${this.limit} SAML requests are being processed; try again in ${RETRY_AFTER_SECONDS} s`);
  }
}
