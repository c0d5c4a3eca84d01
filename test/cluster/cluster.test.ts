/**
 * Three IdP nodes behind a real HAProxy (round robin, no sticky sessions), sharing a real Redis and
 * a real slapd, behave as one IdP: every step of a SAML and an OIDC flow may land on any node, a
 * form answered once cannot be answered again on another node, a node that dies between a form and
 * its post leaves the flow to the others, and a policy reload asked of one node reaches them all.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { END_MARKER } from '../../src/access/policy-text.js';
import { parseChainLine } from '../../src/audit/chain/audit-chain.js';
import { runPolicyCli } from '../../src/cli/policy.js';
import { auditRecord } from '../support/test-idp.js';
import { NodeBrowser, startTestCluster, type TestCluster } from '../support/cluster.js';
import { serversAvailable } from '../support/system-servers.js';
import { TestRp } from '../support/test-rp.js';
import { attribute, hasSamlResponse, OID, TestSp } from '../support/test-sp.js';

const STOP = 'http://127.0.0.1:9';

/** Each node's audit records (the default format), with the node that wrote them. */
function records(c: TestCluster) {
  return c.nodes.map((n) => n.auditRecords().map(auditRecord));
}

describe.runIf(serversAvailable('redis-server', 'slapd', 'haproxy'))(
  'a cluster of three nodes',
  () => {
    let c: TestCluster;
    let sp: TestSp;

    beforeAll(async () => {
      c = await startTestCluster({
        nodes: 3,
        // Reloads only when asked: a policy edit can reach a node only through the cluster.
        properties: { 'idp.accessControl.watch': 'false', 'demo.oidc.baseURL': STOP },
      });
      sp = await TestSp.create(c.baseURL);
    }, 60_000);
    afterAll(async () => c?.close());

    it('finishes a SAML impersonation whose request, login and answer each land on a different node', async () => {
      const b = new NodeBrowser(c);
      b.via = 0;
      const login = await b.get(await sp.loginURL());
      expect(login.html.querySelector('input[name=j_username]')).not.toBeNull();
      b.via = 1;
      const form = await b.submit(
        login,
        { j_username: 'alice', j_password: 'demo-alice' },
        '_eventId_proceed',
      );
      expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
      b.via = 2;
      const answer = await b.submit(form, { principal: 'bob' }, '_eventId_impersonate');
      const profile = await sp.receive(answer);
      expect(profile.nameID).toBe('bob');
      expect(attribute(profile, OID.mail)).toEqual(['bob@example.org']);

      const [n1, n2, n3] = records(c);
      expect(n2!.find((r) => r.act === 'login')).toMatchObject({
        u: 'alice',
        node: 'node2',
        e: '',
      });
      expect(n3!.find((r) => r.act === 'release')).toMatchObject({
        u: 'bob',
        uu: 'alice',
        node: 'node3',
      });
      expect(n1!.filter((r) => r.act === 'release')).toEqual([]);
      // Every line of each node's trail names that node, its chain's own records included.
      c.nodes.forEach((n, i) => {
        for (const line of n.rawAuditLines())
          expect((parseChainLine(line)?.record ?? line).split('|')[28]).toBe(`node${i + 1}`);
      });

      // The same form posted again, on another node: its execution was taken; nothing is released.
      b.via = 0;
      const fields = b.form(form);
      const replay = await b.post(fields.action, {
        ...fields.fields,
        principal: 'bob',
        _eventId_impersonate: '_eventId_impersonate',
      });
      expect(hasSamlResponse(replay)).toBe(false);
      expect(replay.status).toBeGreaterThanOrEqual(400);
      expect(
        records(c)
          .flat()
          .filter((r) => r.act === 'release'),
      ).toHaveLength(1);
    });

    it('finishes an OIDC impersonation across nodes: authorize, login, form, token and userinfo', async () => {
      const rp = await TestRp.create(
        c.baseURL,
        'demo-rp',
        'demo-rp-secret-for-the-demo-only',
        `${STOP}/callback`,
      );
      const b = new NodeBrowser(c);
      b.stopAt.push(`${STOP}/`);
      const pending = await rp.authorize();
      b.via = 0;
      const login = await b.get(pending.url);
      expect(login.html.querySelector('input[name=j_password]')).not.toBeNull();
      b.via = 1;
      const form = await b.submit(
        login,
        { j_username: 'alice', j_password: 'demo-alice' },
        '_eventId_proceed',
      );
      b.via = 2;
      const done = await b.submit(form, { principal: 'carol' }, '_eventId_impersonate');
      const callback = done.headers.get('location');
      expect(callback).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
      // The client talks to the balancer: token and userinfo land wherever it sends them.
      const tokens = await rp.redeem(callback!, pending);
      expect(tokens.claims()?.sub).toBe('carol');
      const info = await rp.userinfo(tokens.access_token, 'carol');
      expect(info.email).toBe('carol@example.org');
      const released = records(c)
        .flat()
        .filter((r) => r.act === 'release' && r.SP === 'demo-rp');
      expect(released.map((r) => [r.P, r.u, r.uu])).toEqual(
        expect.arrayContaining([
          ['OIDC/SSO', 'carol', 'alice'],
          ['OIDC/Token', 'carol', 'alice'],
        ]),
      );
    });

    it('lets another node finish a flow whose node died between the form and its post', async () => {
      const b = new NodeBrowser(c);
      b.via = 0;
      const login = await b.get(await sp.loginURL());
      b.via = 1;
      const form = await b.submit(
        login,
        { j_username: 'alice', j_password: 'demo-alice' },
        '_eventId_proceed',
      );
      expect(form.html.querySelector('h1')?.text).toBe('Account Impersonation');
      await c.stopNode(1); // node2 showed the form, and is gone
      b.via = undefined; // the post goes to the balancer, which must not send it to node2
      const answer = await b.submit(form, { principal: 'carol' }, '_eventId_impersonate');
      const profile = await sp.receive(answer);
      expect(profile.nameID).toBe('carol');
      const finishedBy = records(c)
        .flat()
        .filter((r) => r.act === 'release' && r.u === 'carol' && r.P === 'SAML2/SSO');
      expect(finishedBy).toHaveLength(1);
      expect(['node1', 'node3']).toContain(finishedBy[0]!.node);
    });

    it('reloads every live node when one is asked, and lists each with its generation', async () => {
      const policy = path.join(c.confDir, 'access-control', 'specific-impersonation.policy.csv');
      const text = readFileSync(policy, 'utf8');
      writeFileSync(
        policy,
        text.replace(END_MARKER, `p, alice, bob, *, impersonate, deny\n${END_MARKER}`),
      );
      const res = await fetch(
        `http://127.0.0.1:${c.ports[0]}/idp/profile/admin/access-control/reload`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ allNodes: true }),
        },
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        ok: boolean;
        generation: number;
        cluster: { id: string; heardBy: number };
      };
      expect(body.ok).toBe(true);
      expect(body.cluster.heardBy).toBe(2); // node1 and node3; node2 is gone
      const live = [0, 2];
      for (const i of live) {
        await expect.poll(() => generationOf(c, i), { timeout: 5000 }).toBe(2);
      }
      // Each live node audited the reload under the same request id.
      for (const i of live) {
        const reload = c.nodes[i]!.auditRecords()
          .map(auditRecord)
          .filter((r) => r.act === 'reload')
          .at(-1);
        expect(reload?.det).toContain(`clusterRequest=${body.cluster.id}`);
      }
      // node3 never saw the API call, yet refuses what the new policy refuses.
      const b = new NodeBrowser(c);
      b.via = 2;
      const login = await b.get(await sp.loginURL());
      const form = await b.submit(
        login,
        { j_username: 'alice', j_password: 'demo-alice' },
        '_eventId_proceed',
      );
      const denied = await b.submit(form, { principal: 'bob' }, '_eventId_impersonate');
      expect(denied.status).toBe(403);
      expect(hasSamlResponse(denied)).toBe(false);

      const status = await fetch(
        `http://127.0.0.1:${c.ports[2]}/idp/profile/admin/access-control`,
        {
          headers: { accept: 'application/json' },
        },
      );
      const nodes = ((await status.json()) as { nodes: { node: string; generation: number }[] })
        .nodes;
      expect(nodes.map((n) => [n.node, n.generation])).toEqual([
        ['node1', 2],
        ['node3', 2],
      ]);
    });

    it('policy reload --all-nodes reloads them all; policy status --url lists each node', async () => {
      const reload = await policy('reload', '--url', c.baseURL, '--all-nodes');
      expect(reload.err).toEqual([]);
      expect(reload.code).toBe(0);
      expect(reload.out.join('\n')).toMatch(/now serves generation 3 .*\n.*2 node\(s\) heard it/s);
      await expect.poll(() => generationOf(c, 0), { timeout: 5000 }).toBe(3);
      await expect.poll(() => generationOf(c, 2), { timeout: 5000 }).toBe(3);
      const status = await policy('status', '--url', c.baseURL);
      expect(status.code).toBe(0);
      const nodes = status.out.slice(status.out.indexOf('Nodes of the cluster (2):'));
      expect(nodes[1]).toMatch(/^ {2}node1: generation 3, last reload succeeded \((api|cluster), /);
      expect(nodes[2]).toMatch(/^ {2}node3: generation 3, last reload succeeded \((api|cluster), /);
    });
  },
);

/** Runs the policy command in this process, its output as lines. */
async function policy(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPolicyCli(argv, {
    out: (l) => out.push(...l.split('\n')),
    err: (l) => err.push(...l.split('\n')),
    env: {},
  });
  return { code, out, err };
}

async function generationOf(c: TestCluster, i: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${c.ports[i]}/idp/profile/admin/access-control`, {
    headers: { accept: 'application/json' },
  });
  return ((await res.json()) as { generation: number }).generation;
}
