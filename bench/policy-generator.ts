/**
 * Generated impersonation policies (the shipped model's row format: p, who, whom, where, act, eft)
 * with random requests against them, for the benchmark and for the differential and CLI tests.
 * Seeded, so a failing test names a seed that reproduces it.
 *
 *   "mixed"      every construct the engine indexes, often: users, multi-level roles (one chain
 *                deeper than casbin's 10 levels, one cycle), nested target groups, "*" and
 *                prefix patterns, globs of every kind, attribute rows, explicit denies, another
 *                operation — and requests aimed at their edges (unknown names, odd URLs)
 *   "realistic"  what a large organisation writes: mostly who→whom pairings and role→group grants
 *                at specific services, few wildcards, a handful of denies
 */
import type { AccessRequest } from '../src/access/access-control.js';
import { END_MARKER } from '../src/access/policy-text.js';

export type Shape = 'mixed' | 'realistic';

export interface GeneratedPolicy {
  /** The policy file: p rows, then g and g2 rows, then the end marker (a complete file). */
  readonly csv: string;
  readonly pRows: number;
  readonly roleRows: number;
  /** A random request, drawn with `random`. */
  request(random: Random): AccessRequest;
}

export type Random = () => number;

/** mulberry32: small, fast and good enough to draw test data from a seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;
const int = (random: Random, n: number) => Math.floor(random() * n);

/** Chooses by weight: [[weight, make], …]. */
function weighted<T>(random: Random, options: readonly (readonly [number, () => T])[]): T {
  const total = options.reduce((n, [w]) => n + w, 0);
  let r = random() * total;
  for (const [w, make] of options) {
    if ((r -= w) < 0) return make();
  }
  return options[options.length - 1]![1]();
}

export const ENTITLEMENT = 'urn:mace:example.org:entitlement:idp-impersonate';

export interface GeneratorOptions {
  /** p rows (a deny row for protected accounts is added every 5,000). */
  readonly rows: number;
  readonly seed: number;
  readonly shape: Shape;
  /** Accounts, each with one to three roles and up to one group (default: from rows). */
  readonly users?: number;
}

export function generatePolicy(options: GeneratorOptions): GeneratedPolicy {
  const random = seededRandom(options.seed);
  const mixed = options.shape === 'mixed';
  const n = options.rows;
  const users = Array.from(
    { length: options.users ?? Math.max(40, Math.round(n / (mixed ? 6 : 3))) },
    (_, i) => `u${i}`,
  );
  const teams = Array.from({ length: Math.max(6, Math.round(n / 60)) }, (_, i) => `role:t${i}`);
  const departments = Array.from(
    { length: Math.max(3, Math.round(teams.length / 6)) },
    (_, i) => `role:d${i}`,
  );
  const groups = Array.from({ length: Math.max(6, Math.round(n / 80)) }, (_, i) => `group:g${i}`);
  const apps = Array.from({ length: Math.max(8, Math.round(n / 40)) }, (_, i) => i);
  const rpOf = (i: number) =>
    i % 3 === 0
      ? `client-${i}`
      : i % 3 === 1
        ? `https://app${i}.example.org/shibboleth`
        : `https://app${i}.corp.example.com/sp`;
  const rps = apps.map(rpOf);
  const chain = Array.from({ length: 13 }, (_, i) => `role:c${i}`); // deeper than casbin's 10 levels

  const roleRows: string[] = [];
  const members = new Map<string, string[]>(); // role or group → accounts given it directly
  const grant = (type: 'g' | 'g2', name: string, role: string) => {
    roleRows.push(`${type}, ${name}, ${role}`);
    if (name.startsWith('u')) members.set(role, [...(members.get(role) ?? []), name]);
  };
  for (const u of users) {
    for (let k = 1 + int(random, mixed ? 3 : 2); k > 0; k--)
      grant('g', u, pick(random, random() < 0.8 ? teams : departments));
    for (let k = int(random, 2); k > 0; k--) grant('g2', u, pick(random, groups));
  }
  teams.forEach((t, i) => grant('g', t, departments[i % departments.length]!));
  departments.forEach((d, i) => grant('g', d, `role:division${i % 2}`));
  groups.forEach((g, i) => i % 4 === 0 && grant('g2', g, `group:parent${i % 3}`));
  grant('g2', 'u0', 'group:protected');
  grant('g2', 'group:parent0', 'group:protected');
  if (mixed) {
    chain.slice(1).forEach((c, i) => grant('g', chain[i]!, c));
    grant('g', users[1]!, 'role:c0');
    grant('g', users[2]!, 'role:c3');
    grant('g', 'role:x1', 'role:x2');
    grant('g', 'role:x2', 'role:x1');
    grant('g', users[3]!, 'role:x1');
  }

  const wild = mixed ? 1 : 0.02;
  const who = () =>
    weighted(random, [
      [50, () => pick(random, users)],
      [22, () => pick(random, [...teams, ...departments, 'role:division0', 'role:division1'])],
      [mixed ? 4 : 0, () => pick(random, [...chain, 'role:x1', 'role:x2'])],
      [3 * wild, () => '*'],
      [5 * wild, () => `u${int(random, 30)}*`],
      [
        4 * wild,
        () =>
          pick(random, [
            `attr:eduPersonEntitlement=${ENTITLEMENT}`,
            'attr:affiliation=staff',
            'attr:affiliation=student',
          ]),
      ],
      [2 * wild, () => pick(random, ['attr:impersonatableUsernames', 'attr:eduPersonEntitlement'])],
    ]);
  const whom = () =>
    weighted(random, [
      [45, () => pick(random, users)],
      [25, () => pick(random, [...groups, 'group:parent0', 'group:parent1', 'group:parent2'])],
      [4 * wild, () => '*'],
      [8 * wild, () => `u${int(random, 40)}*`],
      [4 * wild, () => 'attr:impersonatableUsernames'],
      [mixed ? 1 : 0, () => ''],
      // The escalation guard's rows: a target holding a value the user lacks.
      [mixed ? 3 : 0, () => pick(random, ['beyond:eduPersonEntitlement', 'beyond:affiliation'])],
    ]);
  const examples = new Map<string, string[]>(); // glob → relying parties it matches (or nearly)
  const where = () =>
    weighted(random, [
      [45, () => pick(random, rps)],
      [20, () => `https://app${int(random, apps.length)}.example.org/**`],
      [
        mixed ? 12 : 2,
        () => {
          const [pattern, matching] = glob(random, apps.length);
          examples.set(pattern, matching);
          return pattern;
        },
      ],
      [4 * wild, () => '*'],
      [4 * wild, () => 'attr:impersonatableServices'],
    ]);
  const rules: string[][] = [];
  for (let i = 0; rules.length < n; i++) {
    const act = random() < (mixed ? 0.1 : 0.01) ? 'administer' : 'impersonate';
    const eft = random() < (mixed ? 0.15 : 0.02) ? 'deny' : 'allow';
    rules.push([who(), whom(), where(), act, eft]);
    if (i % 5000 === 0) rules.push(['*', 'group:protected', '*', 'impersonate', 'deny']);
  }

  /** An account a row's who/whom value stands for, when one is easy to name. */
  const accountFor = (r: Random, value: string): string => {
    if (value.endsWith('*')) return `${value.slice(0, -1)}${int(r, 10)}`;
    const direct = members.get(value);
    if (direct) return pick(r, direct);
    return value.startsWith('u') ? value : pick(r, users);
  };
  /** A relying party a row's where value matches, when one is easy to name. */
  const rpFor = (r: Random, value: string): string => {
    if (rps.includes(value)) return value;
    const known = examples.get(value);
    if (known) return pick(r, known);
    const app = /^https:\/\/(app\d+)\.example\.org\/\*\*$/.exec(value);
    if (!app) return requestRp(r, rps, apps.length, mixed);
    const host = `https://${app[1]!}.example.org`;
    return mixed
      ? pick(r, [`${host}/shibboleth`, host, `${host}/`, `${host}//x`, `${host}x/y`])
      : `${host}/shibboleth`;
  };

  /** The requested account's attributes and the level, for the escalation guard (mixed only). */
  const targetSide = (r: Random): Pick<AccessRequest, 'targetAttributes' | 'level'> => {
    if (!mixed) return {};
    const targetAttributes: Record<string, string[]> = {};
    if (r() < 0.5)
      targetAttributes.eduPersonEntitlement = [pick(r, [ENTITLEMENT, 'urn:other', 'urn:admin'])];
    if (r() < 0.5) targetAttributes.affiliation = [pick(r, ['staff', 'student', 'member'])];
    return { targetAttributes, level: pick(r, ['', 'identify', 'impersonate', 'delegate']) };
  };
  const request = (r: Random): AccessRequest => ({ ...anyRequest(r), ...targetSide(r) });
  const anyRequest = (r: Random): AccessRequest => {
    const attributes: Record<string, string[]> = {};
    if (r() < 0.5) attributes.eduPersonEntitlement = [r() < 0.7 ? ENTITLEMENT : 'urn:other'];
    if (r() < 0.5)
      attributes.impersonatableUsernames = Array.from({ length: 1 + int(r, 4) }, () =>
        pick(r, users),
      );
    if (r() < 0.5)
      attributes.impersonatableServices = Array.from({ length: 1 + int(r, 3) }, () =>
        requestRp(r, rps, apps.length, mixed),
      );
    if (r() < 0.5) attributes.affiliation = [pick(r, ['staff', 'student', 'member'])];
    if (mixed && r() < 0.05) attributes.impersonatableUsernames = [];
    if (r() < 0.5) {
      // Aimed at one rule, so that allows and denies are both common.
      const [whoValue, whomValue, whereValue, act] = pick(r, rules) as [
        string,
        string,
        string,
        string,
        string,
      ];
      return {
        subject: accountFor(r, whoValue),
        attributes,
        relyingParty: rpFor(r, whereValue),
        operation: act,
        resource: r() < 0.1 ? '' : accountFor(r, whomValue),
      };
    }
    return {
      subject:
        mixed && r() < 0.08
          ? pick(r, ['nobody', 'u1', 'role:t1', '', 'u19x', ...chain.slice(0, 2)])
          : pick(r, users),
      attributes,
      relyingParty: requestRp(r, rps, apps.length, mixed),
      operation: mixed && r() < 0.1 ? 'administer' : 'impersonate',
      resource:
        r() < 0.15
          ? ''
          : mixed && r() < 0.08
            ? pick(r, ['*', 'group:g1', 'nobody', 'u3x'])
            : pick(r, users),
    };
  };
  const pRows = rules.map((row) => ['p', ...row].map(csvField).join(', '));
  return {
    csv: [...pRows, ...roleRows, END_MARKER].join('\n') + '\n',
    pRows: pRows.length,
    roleRows: roleRows.length,
    request,
  };
}

/** A CSV field: quoted when it holds a comma (a brace list), as casbin's CSV parser expects. */
function csvField(value: string): string {
  return value.includes(',') ? `"${value}"` : value;
}

/** Globs of every shape minimatch knows, with relying parties that match them (or nearly do). */
function glob(random: Random, apps: number): [string, string[]] {
  const i = int(random, apps);
  const host = `https://app${i}.example.org`;
  return pick(random, [
    [
      `https://app${i}*.example.org/**`,
      [`https://app${i}7.example.org/x`, `https://app${i}.example.org/x`, `${host}`],
    ],
    [
      `https://*.corp.example.com/*`,
      [
        'https://a.corp.example.com/sp',
        'https://a.corp.example.com/sp/x',
        'https://.corp.example.com/sp',
      ],
    ],
    [
      `https://app{${i},${i + 1}}.example.org/**`,
      [`https://app${i + 1}.example.org/a/b`, `${host}`],
    ],
    [`https://app{${i},${i + 1}}/**`, [`https://app${i}/x`, `https://app${i + 1}`]],
    [
      `https://app?.example.org/**`,
      ['https://app5.example.org/shibboleth', 'https://app55.example.org/x'],
    ],
    [
      `https://app[0-3].example.org/shibboleth`,
      ['https://app2.example.org/shibboleth', 'https://app2.example.org//shibboleth'],
    ],
    [`${host}//**`, [host, `${host}/x`, `${host}//x`]],
    [`${host}/x/../**`, [`${host}/y`, `${host}/x/y`, host]],
    [`${host}/shibboleth/`, [`${host}/shibboleth`, `${host}/shibboleth/`, `${host}//shibboleth//`]],
    [`${host}/**`, [host, `${host}/`, `${host}//x`, `https:/app${i}.example.org/x`, `${host}x/y`]],
    [`client-${i}`, [`client-${i}`, `./client-${i}`]],
    [`client-*`, [`client-7`, 'client-', '.client-1']],
    [`*/x`, ['/x', 'a/x', '//x']],
    [`**`, ['anything', '', '/']],
    [`!${host}/**`, ['https://elsewhere', `${host}/x`]],
    [`#comment`, ['#comment']],
    [
      `https://app+(${i}|${i + 1}).example.org/**`,
      [`${host}/z`, `https://app${i}${i}.example.org/z`],
    ],
  ] as const satisfies readonly (readonly [string, readonly string[]])[]) as unknown as [
    string,
    string[],
  ];
}

/** A relying party as a request names it: usually a real one, sometimes a near miss. */
function requestRp(random: Random, rps: readonly string[], apps: number, mixed: boolean): string {
  const rp = pick(random, rps);
  if (!mixed || random() < 0.7) return rp;
  const i = int(random, apps);
  return pick(random, [
    `https://app${i}.example.org`,
    `https://app${i}.example.org/`,
    `https://app${i}.example.org//shibboleth`,
    `https:/app${i}.example.org/shibboleth`,
    `https://app${i}.example.org/x/shibboleth`,
    `https://app${i}1.example.org/shibboleth`,
    `https://x.corp.example.com/sp`,
    `https://app${i}.example.org/shibboleth/`,
    `./client-${i}`,
    'x',
    '',
    rp.toUpperCase(),
  ]);
}
