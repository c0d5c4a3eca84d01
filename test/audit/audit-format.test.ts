import { describe, expect, it } from 'vitest';
import { parseChainLine } from '../../src/audit/chain/audit-chain.js';
import { AuditFormatter, auditTimestamp, parseAuditFormat } from '../../src/audit/audit-format.js';

const DEFAULT = '%a|%ST|%T|%u|%SP|%i|%ac|%t|%attr|%n|%f|%SSO|%XX|%XA|%b|%bb|%e|%S|%SS|%s|%UA|%uu';

describe('audit format', () => {
  it('parses Shibboleth tokens: %field, %% and literal text', () => {
    expect(parseAuditFormat('%a|%%x|%uu:end')).toEqual([
      { field: 'a' },
      { literal: '|%x|' },
      { field: 'uu' },
      { literal: ':end' },
    ]);
    expect(parseAuditFormat(DEFAULT).filter((t) => 'field' in t)).toHaveLength(22);
  });

  it('writes fields in order, joins multiple values with commas, leaves missing ones empty', () => {
    const f = new AuditFormatter(parseAuditFormat('%u|%attr|%uu'));
    expect(
      f.format(
        new Map([
          ['u', ['bob']],
          ['attr', ['uid', 'mail']],
        ]),
      ),
    ).toBe('bob|uid,mail|');
  });

  it('applies field replacements before escaping', () => {
    const f = new AuditFormatter(
      parseAuditFormat('%S'),
      new Map([['urn:oasis:names:tc:SAML:2.0:status:Success', 'Success']]),
    );
    expect(f.format(new Map([['S', ['urn:oasis:names:tc:SAML:2.0:status:Success']]]))).toBe(
      'Success',
    );
  });

  it.each([
    ['a|b', 'a%7Cb'],
    ['a,b', 'a%2Cb'],
    ['100%', '100%25'],
    ['line\nbreak', 'line%0Abreak'],
    ['cr\rlf', 'cr%0Dlf'],
    ['tab\there', 'tab%09here'],
    ['nul\u0000', 'nul%00'],
    ['bidi\u202e', 'bidi%E2%80%AE'],
    ['ls\u2028', 'ls%E2%80%A8'],
    ['ünïcödé', 'ünïcödé'],
  ])('escapes %j so it cannot forge a field, a value or a line', (value, written) => {
    const f = new AuditFormatter(parseAuditFormat(DEFAULT));
    const line = f.format(
      new Map([
        ['u', [value]],
        ['UA', [value]],
      ]),
    );
    expect(line.split('|')).toHaveLength(22);
    expect(line).not.toMatch(/[\n\r]/);
    expect(line.split('|')[3]).toBe(written);
    expect(decodeURIComponent(line.split('|')[3]!)).toBe(value);
  });

  it('escapes whatever the configured format uses as separators', () => {
    const f = new AuditFormatter(parseAuditFormat('%u ; %uu'));
    expect(
      f.format(
        new Map([
          ['u', ['a ; b']],
          ['uu', ['x']],
        ]),
      ),
    ).toBe('a%20%3B%20b ; x');
  });

  it('escapes | in every format: no value can end a line with a forged chain trailer', () => {
    const f = new AuditFormatter(parseAuditFormat('%u ; %uu'));
    const forged = `x|7|${'A'.repeat(43)}`;
    const line = f.format(new Map([['uu', [forged]]]));
    expect(line).toBe(` ; x%7C7%7C${'A'.repeat(43)}`);
    expect(parseChainLine(line)).toBeUndefined();
  });

  it("stamps Shibboleth's yyyyMMdd'T'HHmmss'Z' in UTC", () => {
    expect(auditTimestamp(Date.UTC(2026, 10, 23, 9, 5, 7, 999))).toBe('20261123T090507Z');
  });
});
