/**
 * An audit line read back into fields: the default format with and without the chain trailer,
 * the older 22- and 24-field lines, other formats, and values written by a hostile user (every
 * separator, list comma, line break and invisible character in them) coming back exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChainLine } from '../../../src/audit/chain/audit-chain.js';
import { AuditEntry, auditLayout, decode } from '../../../src/audit/trail/audit-entry.js';
import { AuditFormatter, parseAuditFormat } from '../../../src/audit/audit-format.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { Chain, DEFAULT_FORMAT, formatRecord } from './audit-trail.js';

const layout = auditLayout(parseAuditFormat(DEFAULT_FORMAT));
const SHIB_22 = '%a|%ST|%T|%u|%SP|%i|%ac|%t|%attr|%n|%f|%SSO|%XX|%XA|%b|%bb|%e|%S|%SS|%s|%UA|%uu';

describe('AuditEntry.parse', () => {
  it('reads a chained line: fields by name, the trailer apart', () => {
    const [line] = new Chain().lines([
      {
        T: '20240501T101500Z',
        u: 'bob',
        uu: 'alice',
        SP: 'https://sp.example.org',
        attr: ['uid', 'mail'],
        act: 'release',
      },
    ]);
    const e = AuditEntry.parse(layout, line!);
    expect(e.seq).toBe(1);
    expect(e.fieldCount).toBe(28);
    expect(e.value('u')).toBe('bob');
    expect(e.value('uu')).toBe('alice');
    expect(e.values('attr')).toEqual(['uid', 'mail']);
    expect(e.value('det')).toBe('');
    expect(e.chain()).toEqual(parseChainLine(line!));
  });

  it('reads a line without a trailer, and lines of the older 22- and 24-field formats', () => {
    const full = formatRecord({ T: '20240501T101500Z', u: 'bob', P: 'OIDC/Token', act: 'release' });
    expect(AuditEntry.parse(layout, full)).toMatchObject({ seq: undefined });
    expect(AuditEntry.parse(layout, full).value('P')).toBe('OIDC/Token');

    const old22 = new AuditFormatter(parseAuditFormat(SHIB_22)).format(
      new Map([
        ['T', ['20230101T000000Z']],
        ['u', ['bob']],
        ['uu', ['alice']],
        ['e', ['']],
      ]),
    );
    const e22 = AuditEntry.parse(layout, old22);
    expect(e22.fieldCount).toBe(22);
    expect([
      e22.value('T'),
      e22.value('u'),
      e22.value('uu'),
      e22.value('P'),
      e22.value('act'),
    ]).toEqual(['20230101T000000Z', 'bob', 'alice', '', '']);
    const old24 = `${old22}|dave|dave`;
    expect(AuditEntry.parse(layout, old24).value('utc')).toBe('dave');
    expect(AuditEntry.parse(layout, old24).seq).toBeUndefined();
  });

  it('gives back hostile values exactly: separators, commas, line breaks, %, bidi and look-alikes', () => {
    const hostile = [
      'eve|admin|https://sp|x',
      'a,b',
      'line1\nline2\r\u2028',
      '100%25 %41',
      '\u202eevil\u200b',
      '\u001b[31mred',
      'Zoë 😀',
      'x|1|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', // looks like a trailer
    ];
    const lines = new Chain().lines(
      hostile.map((v) => ({ T: '20240501T101500Z', u: v, UA: v, ut: v, det: [`reason=${v}`, v] })),
    );
    lines.forEach((line, i) => {
      const e = AuditEntry.parse(layout, line);
      expect(e.seq).toBe(i + 1);
      expect(e.fieldCount).toBe(28);
      expect(e.value('u')).toBe(hostile[i]);
      expect(e.value('UA')).toBe(hostile[i]);
      expect(e.values('det')).toEqual([`reason=${hostile[i]}`, hostile[i]]);
      expect(line).not.toMatch(/[\n\r\u2028\u202e]/);
      expect(line).not.toContain('\u001b');
    });
  });

  // A list of one empty value is written as no value at all: the format cannot tell them apart.
  it('round-trips any values (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.array(fc.string({ unit: 'binary', minLength: 1 }), { minLength: 1, maxLength: 3 }),
        (u, attr) => {
          const e = AuditEntry.parse(layout, new Chain().lines([{ u, attr }])[0]!);
          expect(e.value('u')).toBe(u);
          expect(e.values('attr')).toEqual(attr);
        },
      ),
    );
  });

  it('reads other formats: literals of several characters, a leading literal', () => {
    const tokens = parseAuditFormat('[%T] %u -> %SP :: %e');
    const line = new AuditFormatter(tokens).format(
      new Map([
        ['T', ['20240501T101500Z']],
        ['u', ['a] b -> c']],
        ['SP', ['x :: y']],
        ['e', ['']],
      ]),
    );
    const e = AuditEntry.parse(auditLayout(tokens), line);
    expect([e.value('T'), e.value('u'), e.value('SP'), e.value('e')]).toEqual([
      '20240501T101500Z',
      'a] b -> c',
      'x :: y',
      '',
    ]);
  });

  it('refuses a format whose fields touch (they cannot be told apart)', () => {
    expect(() => auditLayout(parseAuditFormat('%u%SP|%T'))).toThrow(ConfigurationError);
  });

  it('decodes a malformed escape as written instead of failing', () => {
    expect(decode('%E0%A4%A')).toBe('%E0%A4%A');
    expect(decode('a%2Cb%zz')).toBe('a,b%zz');
  });
});
