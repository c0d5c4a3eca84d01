/**
 * The NameID of a response: the first of the allowed formats (src/relying-party/name-id-choice.ts) that yields an
 * identifier for the subject — after impersonation the target, whose account is then the
 * principal. Per format:
 *
 *   unspecified   the account name
 *   emailAddress  the released `mail` (none released: the format yields nothing)
 *   transient     a random value for this response only: two responses cannot be linked
 *   persistent    the stored pairwise identifier of (IdP, SP, account), created on first release
 *                 unless the request says AllowCreate="false" (persistent-id-store.ts)
 *
 * Transient and persistent identifiers carry NameQualifier (the IdP) and SPNameQualifier (the SP),
 * as Shibboleth writes them. Nothing found in any format is a refusal: InvalidNameIDPolicy.
 */
import { randomBytes } from 'node:crypto';
import type { AttributeValues } from '../../../core/attribute-values.js';
import { quoted, type ProcessLog } from '../../../logging/process-log.js';
import {
  NAMEID_FORMATS,
  type NameIdFormat,
  type SamlServiceProvider,
} from '../../../relying-party/relying-party.js';
import { formatChoice, type NameIdPolicy } from '../../../relying-party/name-id-choice.js';
import type { PersistentIdStore } from './persistent-id-store.js';

export interface NameId {
  readonly value: string;
  /** The format's URI. */
  readonly format: string;
  readonly nameQualifier?: string;
  readonly spNameQualifier?: string;
}

/** Who the identifier is for, and what the request asked. */
export interface NameIdRequest {
  readonly sp: SamlServiceProvider;
  readonly policy: NameIdPolicy | null | undefined;
  readonly principal: string;
  readonly released: AttributeValues;
}

export type NameIdOutcome = { readonly nameId: NameId } | { readonly refused: string };

export class NameIdGenerator {
  constructor(
    /** The IdP's entity ID: the NameQualifier, and part of every persistent identifier's key. */
    private readonly idpEntityID: string,
    private readonly persistentIds: PersistentIdStore,
    private readonly log: ProcessLog,
  ) {}

  /** The NameID, or why there is none (logged: the SP only learns InvalidNameIDPolicy). */
  async nameIdFor(request: NameIdRequest): Promise<NameIdOutcome> {
    const outcome = await this.choose(request);
    if ('refused' in outcome)
      this.log.warn(
        `InvalidNameIDPolicy for ${request.sp.id} (${request.sp.declaredAt}): ${outcome.refused}`,
      );
    return outcome;
  }

  private async choose(request: NameIdRequest): Promise<NameIdOutcome> {
    const choice = formatChoice(request.sp, request.policy);
    if ('refused' in choice) return choice;
    for (const format of choice.formats) {
      const value = await this.value(format, request);
      if (value !== undefined) return { nameId: this.nameId(format, value, request.sp) };
    }
    return {
      refused: `no identifier for ${quoted(request.principal)} in ${choice.formats.join(', ')}${
        request.policy?.allowCreate === false ? ' (AllowCreate="false")' : ''
      }`,
    };
  }

  private async value(format: NameIdFormat, r: NameIdRequest): Promise<string | undefined> {
    switch (format) {
      case 'unspecified':
        return r.principal;
      case 'emailAddress':
        return r.released.mail?.[0] || undefined;
      case 'transient':
        return `_${randomBytes(20).toString('hex')}`;
      case 'persistent': {
        const key = { idp: this.idpEntityID, sp: r.sp.id, principal: r.principal };
        return r.policy?.allowCreate === false
          ? this.persistentIds.find(key)
          : this.persistentIds.findOrCreate(key);
      }
    }
  }

  private nameId(format: NameIdFormat, value: string, sp: SamlServiceProvider): NameId {
    const uri = NAMEID_FORMATS[format];
    if (format !== 'transient' && format !== 'persistent') return { value, format: uri };
    return { value, format: uri, nameQualifier: this.idpEntityID, spNameQualifier: sp.id };
  }
}
