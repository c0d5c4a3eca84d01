/**
 * The cap on SAML SSO requests being decoded and processed at once (idp.saml.inbound.maxConcurrent).
 * A new request takes a place before its body is read and gives it back when its handler ends.
 * The issuer of a request is public (it is in metadata), so being a known SP buys nothing: the cap
 * is global.
 *
 * What bounds what:
 *   - memory: an admitted request holds at most one body (limited in proportion to
 *     idp.saml.inbound.maxMessageSize) and one parsed message, so the SAML front-end holds at
 *     most maxConcurrent of them, however many connections arrive;
 *   - CPU per request: the size limits and the cost of the checks (a fraction of a millisecond);
 *   - the event loop: an admitted request waits for the next turn of the loop (setImmediate)
 *     before any decoding, so a burst of requests that arrive together is first only taken in —
 *     cheap requests such as metadata in the same burst are answered at once — and then at most
 *     maxConcurrent of them are decoded before the loop polls for I/O again.
 *
 * The refusal must cost less than the work it sheds, or a flood is amplified: it is a page
 * rendered once (no template per request), and it is logged as one WARN per interval with a
 * count, not one line per request. It is an IdpError code and event like every other error
 * (REQUEST_CAPACITY_EXCEEDED, RequestCapacityExceeded; its text is in messages.properties), sent
 * from here rather than from the edge error handler for that reason.
 */
import type { NextFunction, Request, Response } from 'express';
import { IdpError } from '../../core/errors.js';
import type { ProcessLog } from '../../logging/process-log.js';
import type { Messages } from '../../web/messages.js';
import type { Views } from '../../web/views.js';

const RETRY_AFTER_SECONDS = 2;
const LOG_INTERVAL_MS = 10_000;
const REFUSALS_PER_TURN = 64;
const ADMITTED = 'samlAdmitted';

export class AdmissionGate {
  private active = 0;
  private page: Buffer | undefined;
  private readonly refusals: Response[] = [];
  /** One error for every refusal: creating one (and its stack trace) per refused request costs more than the rest of it. */
  private readonly capacityExceeded: IdpError;
  private refusedSinceLog = 0;
  private lastLog = 0;

  constructor(
    readonly limit: number,
    private readonly views: Views,
    private readonly messages: Messages,
    private readonly log: ProcessLog,
  ) {
    this.capacityExceeded = new IdpError(
      'REQUEST_CAPACITY_EXCEEDED',
      `more than ${limit} SAML requests are being processed at once (idp.saml.inbound.maxConcurrent)`,
    );
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

  /** Lets the rest of this turn of the event loop (other requests' I/O) run first. */
  nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * The gate as the first middleware of the IdP, ahead of security headers, sessions and routing:
   * a new SAML message on one of `paths` (not a form posted back with ?execution=, which belongs to
   * a request already admitted) takes a place or is refused right there, and everything else that
   * request costs happens in the next turn of the event loop. So in a burst of connections each
   * SAML request costs the turn that reads it only its HTTP parsing and this check; the place is
   * given back when the response is finished or the connection closes.
   */
  middleware(paths: readonly string[], resumesAdmitted: (req: Request) => boolean) {
    const gated = new Set(paths);
    return (req: Request, res: Response, next: NextFunction): void => {
      // Routers ignore a trailing slash; so does the gate. (admitted() backs this up at the route.)
      if (!gated.has(req.path.replace(/\/+$/, '')) || resumesAdmitted(req)) return next();
      if (this.admit(res)) setImmediate(next);
    };
  }

  /**
   * Whether the request holds a place — the route handler asks before decoding anything, so a
   * path spelling the middleware did not recognise still cannot bypass the cap: it takes a place
   * there, or is refused.
   */
  admitted(res: Response): boolean {
    return res.locals[ADMITTED] === true || this.admit(res);
  }

  private admit(res: Response): boolean {
    const release = this.tryEnter();
    if (!release) {
      this.refuse(res);
      return false;
    }
    res.locals[ADMITTED] = true;
    res.once('finish', release);
    res.once('close', release);
    return true;
  }

  /**
   * Answers 503 with Retry-After; the body, if any, is never read and the connection closes.
   * Refusals are written a batch per turn of the event loop: a burst of thousands of them would
   * otherwise be one long turn of socket writes and closes, during which nothing else is answered.
   */
  refuse(res: Response): void {
    this.refusals.push(res);
    if (this.refusals.length === 1) setImmediate(() => void this.writeRefusals());
  }

  private async writeRefusals(): Promise<void> {
    const batch = this.refusals.splice(0, REFUSALS_PER_TURN);
    for (const res of batch) await this.writeRefusal(res);
    if (this.refusals.length > 0) setImmediate(() => void this.writeRefusals());
  }

  private async writeRefusal(res: Response): Promise<void> {
    const error = this.capacityExceeded;
    this.noteRefusal(error);
    this.page ??= Buffer.from(
      await this.views.renderToString(
        'error',
        { event: error.event, ...this.messages.forEvent(error.event), detail: undefined },
        undefined,
      ),
    );
    if (res.writableEnded || res.destroyed) return;
    // The page as bytes, straight to the socket: no template, no ETag, no content negotiation.
    res.writeHead(error.status, {
      'Retry-After': String(RETRY_AFTER_SECONDS),
      Connection: 'close',
      'Cache-Control': 'no-store',
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': this.page.length,
    });
    res.end(this.page);
  }

  private noteRefusal(error: IdpError): void {
    this.refusedSinceLog += 1;
    const now = Date.now();
    if (now - this.lastLog < LOG_INTERVAL_MS) return;
    this.log.warn(
      `${error.code}: ${error.message}; refused ${this.refusedSinceLog} request(s) with 503 since the last such message`,
    );
    this.refusedSinceLog = 0;
    this.lastLog = now;
  }
}
