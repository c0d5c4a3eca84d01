/**
 * One account, exactly one name. Every account name that enters the IdP — typed at login, typed
 * into the impersonate form, or loaded from the seed file — goes through canonicalAccountName:
 * trim, Unicode NFKC, the directory's case rule, then refusal of anything that could act as a
 * wildcard, hide in a log line, or pass for another account.
 */

export interface AccountNameRules {
  readonly caseSensitive: boolean;
  readonly maxLength: number;
}

export type AccountNameProblem =
  | 'empty'
  | 'too-long'
  | 'control-character'
  | 'wildcard'
  | 'forbidden-character'
  | 'mixed-script'
  | 'look-alike';

export type AccountNameResult =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly problem: AccountNameProblem; readonly detail?: string };

// Characters that are wildcards or metacharacters in LDAP filters, SQL LIKE, globs, regexes or
// casbin's keyMatch; none of them belongs in an account name.
const WILDCARDS = /[*?%\\[\]()]/u;
const FORBIDDEN = /[\s,;:=+<>"'`#/|&!$^{}~]/u;
const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

// Alphabetic scripts whose letters are confused with each other (UTS #39's "highly restrictive"
// level forbids mixing them in one identifier).
const CONFUSABLE_SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Cherokee',
  'Coptic',
] as const;
const SCRIPT_TESTS = CONFUSABLE_SCRIPTS.map(
  (s) => [s, new RegExp(`\\p{Script=${s}}`, 'u')] as const,
);

// Common whole-script look-alikes of ASCII letters (a subset of Unicode's confusables.txt):
// a name written entirely in these is refused rather than treated as a different account.
const SKELETON: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  ү: 'y',
  ѵ: 'v',
  ɡ: 'g',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
  ϳ: 'j',
  ս: 'u',
  օ: 'o',
  ց: 'g',
  հ: 'h',
  ո: 'n',
  ı: 'i',
};

/**
 * Keep the checks in this order: each runs only on a name that passed those before it, and the
 * order decides which problem a name is refused with (a wildcard is reported as a wildcard even
 * in a mixed-script name).
 */
export function canonicalAccountName(raw: string, rules: AccountNameRules): AccountNameResult {
  let name = raw.normalize('NFKC').trim();
  if (!rules.caseSensitive) name = name.toLowerCase().normalize('NFKC');
  if (name === '') return { ok: false, problem: 'empty' };
  if (CONTROL.test(name)) return { ok: false, problem: 'control-character' };
  if (WILDCARDS.test(name)) return { ok: false, problem: 'wildcard' };
  if (FORBIDDEN.test(name)) return { ok: false, problem: 'forbidden-character' };
  if ([...name].length > rules.maxLength)
    return { ok: false, problem: 'too-long', detail: String(rules.maxLength) };

  const scripts = confusableScriptsOf(name);
  if (scripts.size > 1)
    return { ok: false, problem: 'mixed-script', detail: [...scripts].join('+') };

  const skeleton = asciiLookAlike(name);
  if (skeleton !== undefined) return { ok: false, problem: 'look-alike', detail: skeleton };
  return { ok: true, name };
}

/** The confusable scripts the name's characters belong to, in order of first appearance. */
function confusableScriptsOf(name: string): Set<string> {
  const scripts = new Set<string>();
  for (const ch of name) {
    for (const [script, test] of SCRIPT_TESTS) if (test.test(ch)) scripts.add(script);
  }
  return scripts;
}

/** The ASCII name that a name with non-ASCII characters imitates, when all of them are look-alikes of ASCII letters. */
function asciiLookAlike(name: string): string | undefined {
  if (!/[^\x20-\x7e]/.test(name)) return undefined;
  const skeleton = [...name].map((ch) => SKELETON[ch.toLowerCase()] ?? ch).join('');
  return /^[\x20-\x7e]+$/.test(skeleton) ? skeleton : undefined;
}
