import { describe, expect, it } from 'vitest';
import { canonicalAccountName } from '../../src/directory/account-name.js';

const insensitive = { caseSensitive: false, maxLength: 64 };

describe('canonicalAccountName', () => {
  it.each([
    ['bob', 'bob'],
    ['  Bob\t', 'bob'],
    ['bob\n', 'bob'], // surrounding white space, including a line break, is trimmed
    ['\uff22\uff4f\uff42', 'bob'], // fullwidth → NFKC
    ['bo\u0301b', 'bób'], // combining accent composed by NFKC
    ['j.doe@example.org', 'j.doe@example.org'],
    ['under_score-dash', 'under_score-dash'],
    ['ИВАН', 'иван'], // one script, not ASCII-looking
    ['\u2167', 'viii'], // Roman numeral eight → "VIII" → lower-cased
  ])('%j → %j', (raw, name) => {
    expect(canonicalAccountName(raw, insensitive)).toEqual({ ok: true, name });
  });

  it('keeps case when the directory is case-sensitive', () => {
    expect(canonicalAccountName(' Bob ', { caseSensitive: true, maxLength: 64 })).toEqual({
      ok: true,
      name: 'Bob',
    });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['\u3000', 'empty'],
    ['*', 'wildcard'],
    ['b?b', 'wildcard'],
    ['b%', 'wildcard'],
    ['b\\b', 'wildcard'],
    ['(b)', 'wildcard'],
    ['[b]', 'wildcard'],
    ['\uff0a', 'wildcard'], // fullwidth asterisk becomes * under NFKC
    ['bo b', 'forbidden-character'],
    ['bob,carol', 'forbidden-character'],
    ['uid=bob', 'forbidden-character'],
    ['bob;', 'forbidden-character'],
    ['b/o', 'forbidden-character'],
    ['role:x', 'forbidden-character'],
    ['bo\nb', 'control-character'],
    ['bob\u0000', 'control-character'],
    ['b\u200bob', 'control-character'], // zero-width space
    ['b\u202eob', 'control-character'], // right-to-left override
    ['a'.repeat(65), 'too-long'],
    ['b\u043eb', 'mixed-script'], // Cyrillic о between Latin letters
    ['\u0430\u0435', 'look-alike'], // Cyrillic "ае" reads "ae"
    ['\u03bf\u03c1', 'look-alike'], // Greek "ορ" reads "op"
  ])('refuses %j (%s)', (raw, problem) => {
    const result = canonicalAccountName(raw, insensitive);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toBe(problem);
  });

  it('counts length in characters, not UTF-16 units', () => {
    expect(
      canonicalAccountName('\u{1d4b7}'.repeat(3), { caseSensitive: true, maxLength: 3 }).ok,
    ).toBe(true);
  });
});
