/**
 * The roles a name holds through one two-column role definition's rows (g, g2 …), with casbin's
 * DefaultRoleManager's semantics: g(a, b) holds when a is b, or when b is reachable from a over at
 * most maxHierarchyLevel links (the enforcer creates its role managers with 10). It is both the
 * index behind g(r.x, p.y) — the roles a request's name holds — and the role manager casbin's
 * own g() (Util.generateSyncedGFunction) asks during a decision.
 *
 * casbin's DefaultRoleManager answers the same question by walking the links on every call and
 * builds each link through an async method; this one is filled synchronously, remembers each
 * name's closure, and is one structure instead of two. That it answers exactly like casbin —
 * chains deeper than 10 links, cycles, names that are only roles — is what
 * test/access/engine/differential-*.test.ts compares.
 */
import type { RoleManager } from 'casbin';
import type { Turns } from './cooperative.js';
import type { PolicyRows } from './policy-rows.js';

export const CASBIN_MAX_HIERARCHY_LEVEL = 10;

export class RoleGraph implements RoleManager {
  /** Closures of names that have roles, computed on first use (the graph never changes once built). */
  private readonly closures = new Map<string, ReadonlySet<string>>();

  /**
   * The links as ids of the policy's values (policy-rows.ts): the roles of value id n are
   * roles[starts[n] … starts[n + 1]). Typed arrays, not a list per name: at 70k links that is
   * tens of thousands fewer objects for the garbage collector while a reload builds the graph.
   */
  private constructor(
    private readonly values: PolicyRows,
    private readonly starts: Int32Array,
    private readonly roles: Int32Array,
    private readonly maxHierarchyLevel: number,
  ) {}

  /** The graph of a role definition's rows (name, role), pausing when `turns` says so. */
  static async build(
    rows: PolicyRows,
    turns: Turns,
    maxHierarchyLevel = CASBIN_MAX_HIERARCHY_LEVEL,
  ): Promise<RoleGraph> {
    const starts = new Int32Array(rows.distinct + 1);
    for (let i = 0; i < rows.length; i++) {
      if (turns.due()) await turns.pause();
      starts[rows.id(i, 0) + 1]!++;
    }
    for (let id = 0; id < rows.distinct; id++) starts[id + 1]! += starts[id]!;
    const next = starts.slice(0, rows.distinct);
    const roles = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      if (turns.due()) await turns.pause();
      roles[next[rows.id(i, 0)]!++] = rows.id(i, 1);
    }
    return new RoleGraph(rows, starts, roles, maxHierarchyLevel);
  }

  /** `name` and every role it reaches in at most maxHierarchyLevel links, breadth first. */
  closure(name: string): ReadonlySet<string> {
    const id = this.values.idOf(name);
    if (id === undefined || this.starts[id] === this.starts[id + 1]) return new Set([name]);
    let closure = this.closures.get(name);
    if (!closure) {
      closure = this.reach(id);
      this.closures.set(name, closure);
    }
    return closure;
  }

  /** DefaultRoleManager.syncedHasLink without domains: the same answers. */
  syncedHasLink(name: string, role: string, ...domain: string[]): boolean {
    if (domain.length > 0) throw new Error('error: this role definition has no domains');
    return name === role || this.closure(name).has(role);
  }

  hasLink(name: string, role: string, ...domain: string[]): Promise<boolean> {
    return Promise.resolve(this.syncedHasLink(name, role, ...domain));
  }

  getRoles(name: string): Promise<string[]> {
    const id = this.values.idOf(name);
    return Promise.resolve(
      id === undefined ? [] : [...new Set(this.direct(id))].map((r) => this.name(r)),
    );
  }

  getUsers(role: string): Promise<string[]> {
    const users: string[] = [];
    for (let id = 0; id < this.starts.length - 1; id++)
      if (this.direct(id).some((r) => this.name(r) === role)) users.push(this.name(id));
    return Promise.resolve(users);
  }

  getDomains(): Promise<string[]> {
    return Promise.resolve([]);
  }

  getAllDomains(): Promise<string[]> {
    return Promise.resolve([]);
  }

  printRoles(): Promise<void> {
    return Promise.resolve();
  }

  /** A snapshot's roles never change: a new policy is a new graph. */
  clear(): Promise<void> {
    return Promise.reject(new Error('the role graph of a compiled policy cannot be changed'));
  }

  addLink(): Promise<void> {
    return this.clear();
  }

  deleteLink(): Promise<void> {
    return this.clear();
  }

  private reach(from: number): Set<string> {
    const seen = new Set([from]);
    let frontier = [from];
    for (let level = 0; level < this.maxHierarchyLevel && frontier.length > 0; level++) {
      const next: number[] = [];
      for (const n of frontier) {
        for (const role of this.direct(n)) {
          if (!seen.has(role)) {
            seen.add(role);
            next.push(role);
          }
        }
      }
      frontier = next;
    }
    return new Set([...seen].map((id) => this.name(id)));
  }

  /** The roles value id `id` is given directly (ids). */
  private direct(id: number): Int32Array {
    return id + 1 < this.starts.length
      ? this.roles.subarray(this.starts[id], this.starts[id + 1])
      : new Int32Array(0);
  }

  private name(id: number): string {
    return this.values.string(id);
  }
}
