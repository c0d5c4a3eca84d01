/**
 * Logout messages that came by HTTP-POST, decoded and verified, waiting for the browser to come
 * back with a GET: a cross-site POST carries no SameSite=Lax session cookie, so the IdP could not
 * tell whose session it is about (the SSO endpoints park AuthnRequests the same way). Kept in
 * memory for a short while, taken once; at most MAX_PARKED, the oldest dropped.
 */
import { randomBytes } from 'node:crypto';

const MAX_PARKED = 1000;

export class ParkedMessages<T> {
  private readonly parked = new Map<string, { readonly value: T; readonly until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  park(value: T): string {
    const key = randomBytes(18).toString('base64url');
    this.parked.set(key, { value, until: this.now() + this.ttlMs });
    // A Map iterates in insertion order: the first keys are the oldest.
    for (const old of this.parked.keys()) {
      if (this.parked.size <= MAX_PARKED) break;
      this.parked.delete(old);
    }
    return key;
  }

  take(key: string): T | undefined {
    const entry = this.parked.get(key);
    this.parked.delete(key);
    return entry && entry.until > this.now() ? entry.value : undefined;
  }
}
