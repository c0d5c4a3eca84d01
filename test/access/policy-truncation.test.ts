/**
 * A save cut short never opens a door. Every file of the shipped policy set — both models, every
 * policy file, access-control.yaml — is cut at every byte offset in turn, as an interrupted or
 * non-atomic save leaves it, and reloaded through the real path (ReloadableAccessControlService:
 * reload(), and for a sample the file watcher) while decisions keep being made between the
 * reload's steps. No decision may ever allow what the shipped policies deny; every cut file but
 * the complete one (minus at most its final line break) is refused; and once the file is restored
 * the shipped policies answer again.
 *
 * The questions are every demo account asking for every demo account (and for the form: target
 * "") at the demo relying parties and two others, both admin endpoints from this machine and
 * elsewhere, and each question of conf/access-control/expectations.yaml — with the accounts'
 * attributes resolved as at sign-in.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../src/access/access-control.js';
import { nextTurn } from '../../src/access/engine/cooperative.js';
import { ReloadableAccessControlService } from '../../src/access/reloadable-access-control.js';
import { openDirectory, type CliDirectory } from '../../src/cli/cli-context.js';
import { readExpectations } from '../../src/cli/expectations.js';
import { SIGN_IN_LABEL } from '../../src/cli/impersonation-question.js';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { createProcessLog } from '../../src/logging/process-log.js';
import { DEFAULT_CONF_DIR } from '../../src/core/paths.js';
import { eventually } from './policy-conf.js';

/** The files that make up the shipped policy set, relative to conf/. */
const POLICY_SET = [
  'access-control/specific-impersonation.policy.csv',
  'access-control/impersonation.model.conf',
  'access-control/general-impersonation.policy.csv',
  'access-control/admin.model.conf',
  'access-control/admin.policy.csv',
  'access-control.yaml',
];
const ACCOUNTS = ['alice', 'bob', 'carol', 'dave', 'erin', 'admin'];
const OTHER_RPS = [
  'https://wiki.example.org/shibboleth',
  'https://sp.partner.example.net/shibboleth',
];
const ADMIN_POLICIES = ['AccessControlStatusPolicy', 'AccessControlReloadPolicy'];

interface Question {
  readonly policy: string;
  readonly request: AccessRequest;
  /** What the shipped policies answer. */
  readonly allowed: boolean;
}

let confDir: string;
let directory: CliDirectory;
let lookup: (key: string) => string | undefined;
let questions: Question[];
const services: ReloadableAccessControlService[] = [];

beforeAll(async () => {
  confDir = path.join(mkdtempSync(path.join(tmpdir(), 'policy-truncation-')), 'conf');
  cpSync(DEFAULT_CONF_DIR, confDir, { recursive: true });
  const config = loadConfiguration({ home: path.dirname(confDir), confDir, env: {} });
  lookup = config.properties.lookup;
  directory = await openDirectory(config);
  const attributes = new Map(
    await Promise.all(
      ACCOUNTS.map(
        async (a) =>
          [
            a,
            (await directory.resolver.resolve({ principal: a, label: SIGN_IN_LABEL })).attributes,
          ] as const,
      ),
    ),
  );
  const props = config.properties;
  const rps = [props.demo.sp.entityID, props.demo.oidc.clientId, ...OTHER_RPS];
  const asked: Omit<Question, 'allowed'>[] = [];
  const impersonation = (user: string, target: string, rp: string) => {
    for (const policy of [props.impersonate.generalPolicy, props.impersonate.specificPolicy]) {
      asked.push({
        policy,
        request: {
          subject: user,
          attributes: attributes.get(user) ?? {},
          relyingParty: rp,
          operation: 'impersonate',
          resource: target,
        },
      });
    }
  };
  for (const user of ACCOUNTS)
    for (const target of ['', ...ACCOUNTS]) for (const rp of rps) impersonation(user, target, rp);
  const expectations = readExpectations(
    path.join(confDir, 'access-control/expectations.yaml'),
    lookup,
    new Set([props.impersonate.generalPolicy, props.impersonate.specificPolicy]),
  );
  for (const e of expectations) {
    const target = e.target === undefined ? undefined : directory.directory.canonicalName(e.target);
    impersonation(e.user, target?.ok ? target.name : '', e.rp);
  }
  for (const policy of ADMIN_POLICIES) {
    for (const user of ['', ...ACCOUNTS]) {
      for (const operation of ['status', 'reload']) {
        for (const clientAddress of ['127.0.0.1', '::1', '192.0.2.7', '']) {
          asked.push({
            policy,
            request: {
              subject: user,
              attributes: user ? (attributes.get(user) ?? {}) : {},
              relyingParty: '',
              operation,
              resource: 'access-control',
              clientAddress,
            },
          });
        }
      }
    }
  }
  const shipped = await start(false);
  questions = asked.map((q) => ({
    ...q,
    allowed: shipped.getInstance(q.policy).checkAccess(q.request).allowed,
  }));
  shipped.close();
}, 60_000);

afterAll(async () => {
  for (const s of services) s.close();
  await directory?.close();
});

async function start(watch: boolean): Promise<ReloadableAccessControlService> {
  const log = createProcessLog({
    file: path.join(path.dirname(confDir), `process-${services.length}.log`),
    fileLevel: 'WARN',
    consoleLevel: 'ERROR',
    console: false,
  });
  const service = await ReloadableAccessControlService.start({
    confDir,
    lookup,
    log,
    watch,
    debounceMs: 20,
    signal: null,
    pacing: { yieldEvery: 4 },
  });
  services.push(service);
  return service;
}

function describeQuestion(q: Question): string {
  const r = q.request;
  return `${q.policy}: ${r.subject || '(nobody)'} ${r.operation} ${JSON.stringify(r.resource)} at ${JSON.stringify(r.relyingParty)}${r.clientAddress === undefined ? '' : ` from ${JSON.stringify(r.clientAddress)}`}`;
}

/**
 * Decisions between every turn of the event loop, for as long as the test runs: a few questions
 * per turn, round the whole list. Each allow is checked against the shipped policies' answer.
 */
function decideMeanwhile(service: ReloadableAccessControlService) {
  let state = 'start';
  let stopped = false;
  let decisions = 0;
  const violations: string[] = [];
  let reported = '';
  const check = (q: Question) => {
    decisions++;
    // The first wrong allow in each state (a state lasts while decisions see it): enough to tell which cuts loaded.
    if (
      service.getInstance(q.policy).checkAccess(q.request).allowed &&
      !q.allowed &&
      reported !== state &&
      violations.length < 10
    ) {
      reported = state;
      violations.push(`${state}: ${describeQuestion(q)} ALLOWED, the shipped policies deny it`);
    }
  };
  const running = (async () => {
    for (let i = 0; !stopped; await nextTurn()) {
      for (let k = 0; k < 6; k++, i = (i + 1) % questions.length) check(questions[i]!);
    }
  })();
  return {
    violations,
    get decisions() {
      return decisions;
    },
    /** Names the state the decisions are made in, for the report. */
    now: (what: string) => (state = what),
    /** Every question at once, in the current state. */
    all: () => questions.forEach(check),
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/** Whether the shipped policies answer every question. */
function answersAsShipped(service: ReloadableAccessControlService): string[] {
  return questions
    .filter((q) => service.getInstance(q.policy).checkAccess(q.request).allowed !== q.allowed)
    .map(describeQuestion);
}

describe('a policy file cut short', () => {
  it('the questions cover allows and denies of every policy', () => {
    const allowed = (policy: string) =>
      questions.filter((q) => q.policy === policy && q.allowed).length;
    const denied = (policy: string) =>
      questions.filter((q) => q.policy === policy && !q.allowed).length;
    for (const policy of [
      'GeneralImpersonationPolicy',
      'SpecificImpersonationPolicy',
      ...ADMIN_POLICIES,
    ]) {
      expect(allowed(policy), policy).toBeGreaterThan(0);
      expect(denied(policy), policy).toBeGreaterThan(0);
    }
    const erinAsAdmin = questions.find(
      (q) =>
        q.policy === 'SpecificImpersonationPolicy' &&
        q.request.subject === 'erin' &&
        q.request.resource === 'admin',
    );
    expect(erinAsAdmin?.allowed).toBe(false);
  });

  it('is refused at every byte offset of every file of the policy set, and never allows what the shipped policies deny', async () => {
    const service = await start(false);
    const meanwhile = decideMeanwhile(service);
    const wronglyLoaded: string[] = [];
    let reloads = 0;
    try {
      for (const name of POLICY_SET) {
        const file = path.join(confDir, name);
        const original = readFileSync(file);
        const complete = original.toString('utf8').trimEnd();
        for (let length = 0; length < original.length; length++) {
          const cut = original.subarray(0, length);
          writeFileSync(file, cut);
          meanwhile.now(`${name} cut to ${length} of ${original.length} bytes`);
          const result = await service.reload();
          reloads++;
          // Only the whole file (at most its final line break missing) may load.
          if (
            result.ok !== (cut.toString('utf8').trimEnd() === complete) &&
            wronglyLoaded.length < 10
          ) {
            wronglyLoaded.push(
              `${name} cut to ${length} bytes: ${result.ok ? 'loaded' : `refused: ${result.errors?.join('; ')}`}`,
            );
          }
        }
        writeFileSync(file, original);
        meanwhile.now(`${name} restored`);
        expect(await service.reload()).toMatchObject({ ok: true });
        expect(answersAsShipped(service)).toEqual([]);
      }
      meanwhile.all();
    } finally {
      await meanwhile.stop();
    }
    expect(meanwhile.violations).toEqual([]);
    expect(wronglyLoaded).toEqual([]);
    expect(reloads).toBeGreaterThan(5000);
    expect(meanwhile.decisions).toBeGreaterThan(10 * reloads);
  }, 240_000);

  it('through the file watcher too: every file cut at each line start is refused', async () => {
    const service = await start(true);
    const meanwhile = decideMeanwhile(service);
    const wronglyLoaded: string[] = [];
    let cuts = 0;
    const reloaded = async (what: string, write: () => void) => {
      const before = service.status().lastReload;
      meanwhile.now(what);
      write();
      await eventually(() => service.status().lastReload !== before, `a reload after ${what}`);
      return service.status().lastReload;
    };
    try {
      for (const name of POLICY_SET) {
        const file = path.join(confDir, name);
        const original = readFileSync(file);
        // A save that lost whole lines: cut just after each line break but the last.
        for (
          let at = original.indexOf(0x0a);
          at !== -1 && at < original.length - 1;
          at = original.indexOf(0x0a, at + 1)
        ) {
          const result = await reloaded(`${name} cut to ${at + 1} bytes (watched)`, () =>
            writeFileSync(file, original.subarray(0, at + 1)),
          );
          cuts++;
          if (result.ok && wronglyLoaded.length < 10)
            wronglyLoaded.push(`${name} cut to ${at + 1} bytes: loaded`);
        }
        const generation = service.generation;
        meanwhile.now(`${name} restored (watched)`);
        writeFileSync(file, original);
        await eventually(
          () => service.generation > generation,
          `a successful reload after restoring ${name}`,
        );
        expect(answersAsShipped(service)).toEqual([]);
      }
    } finally {
      await meanwhile.stop();
    }
    expect(meanwhile.violations).toEqual([]);
    expect(wronglyLoaded).toEqual([]);
    expect(cuts).toBeGreaterThan(100);
  }, 240_000);
});
