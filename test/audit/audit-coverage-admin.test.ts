/**
 * Audit coverage of the admin endpoints, through a running IdP (issue 9, item 1): policy reloads
 * (act=reload, P=Admin/AccessControl; by the admin endpoint, by the file watcher, a broken edit
 * that keeps the previous policies) and refused admin calls (act=refuse, AccessDenied).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { auditRecord, startTestIdp, type TestIdp } from '../support/test-idp.js';

const RELOAD = '/idp/profile/admin/access-control/reload';

let t: TestIdp;
let file: string;
let original: string;

beforeAll(async () => {
  t = await startTestIdp({ conf: { 'idp.properties': (old) => old } });
  file = path.join(t.confDir, 'access-control', 'specific-impersonation.policy.csv');
  original = readFileSync(file, 'utf8');
});
afterAll(async () => t?.close());

const reloads = () =>
  t
    .auditRecords()
    .map(auditRecord)
    .filter((r) => r.act === 'reload');

function reload(): Promise<Response> {
  return fetch(`${t.baseURL}${RELOAD}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'ops',
    },
    body: '{}',
  });
}

describe('policy reload records', () => {
  it('records a reload asked for at the admin endpoint: trigger, generation, result, files', async () => {
    const res = await reload();
    expect(res.status).toBe(200);
    const { generation } = (await res.json()) as { generation: number };
    const record = reloads().at(-1)!;
    expect(record).toMatchObject({
      P: 'Admin/AccessControl',
      e: '',
      u: '', // the shipped policy admits callers on the IdP's machine, signed in or not
      UA: 'ops',
    });
    const det = record.det.split(',');
    expect(det.slice(0, 3)).toEqual(['trigger=admin', `generation=${generation}`, 'result=loaded']);
    expect(det).toContain('file=conf/access-control.yaml');
    expect(det).toContain('file=conf/access-control/specific-impersonation.policy.csv');
    expect(record.tx).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('records a reload by the file watcher, in a transaction of its own, and a broken edit kept out', async () => {
    const before = reloads().length;
    writeFileSync(file, `${original}# a comment\n`.replace(/\n# end of policy\n/, '\n'));
    await expect.poll(() => reloads().length, { timeout: 10_000 }).toBeGreaterThan(before);
    const failed = reloads().at(-1)!;
    expect(failed).toMatchObject({ u: 'file-watcher', e: 'PolicyReloadFailed', a: '' });
    expect(failed.det).toMatch(/^trigger=watch,generation=\d+,result=kept-previous,file=/);
    await expect.poll(() => t.processLog()).toContain('not reloaded (file)');
    const line = t
      .processLog()
      .split('\n')
      .find((l) => l.includes('Access-control policies not reloaded (file)'));
    expect(line).toContain(` - ${failed.tx} - ERROR`);

    writeFileSync(file, original);
    await expect.poll(() => reloads().length, { timeout: 10_000 }).toBeGreaterThan(before + 1);
    const loaded = reloads().at(-1)!;
    expect(loaded).toMatchObject({ u: 'file-watcher', e: '' });
    expect(loaded.det).toContain('result=loaded');
    expect(loaded.tx).not.toBe(failed.tx);
  });
});

describe('refused admin calls', () => {
  it('records the refusal (AccessDenied) before the 403', async () => {
    const closed = await startTestIdp({
      conf: {
        'access-control.yaml': (old) =>
          `${old.slice(0, old.indexOf('  # The admin endpoints'))}# end of policy\n`,
      },
    });
    try {
      const page = await new Browser().get(`${closed.baseURL}/idp/profile/admin/access-control`);
      expect(page.status).toBe(403);
      const record = auditRecord(closed.auditRecords().at(-1)!);
      expect(record).toMatchObject({
        act: 'refuse',
        P: 'Admin/AccessControl',
        e: 'AccessDenied',
        u: '',
      });
      expect(record.a).toMatch(/127\.0\.0\.1/);
      expect(record.det).toMatch(/^operation=status,policy=/);
    } finally {
      await closed.close();
    }
  });
});
