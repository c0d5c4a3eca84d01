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
 * test/access/differential-*.test.ts compares.
 */
import type { RoleManager } from 'casbin';

export const CASBIN_MAX_HIERARCHY_LEVEL = 10;

export class RoleGraph implements RoleManager {
  private readonly direct = new Map<string, string[]>();
  /** Closures of names that have roles, computed on first use (the graph never changes once built). */
  private readonly closures = new Map<string, ReadonlySet<string>>();

  constructor(private readonly maxHierarchyLevel = CASBIN_MAX_HIERARCHY_LEVEL) {}

  addLink(name: string, role: string): Promise<void> {
    this.link(name, role);
    return Promise.resolve();
  }

  link(name: string, role: string): void {
    const roles = this.direct.get(name);
    if (!roles) this.direct.set(name, [role]);
    else if (!roles.includes(role)) roles.push(role);
  }

  /** `name` and every role it reaches in at most maxHierarchyLevel links, breadth first. */
  closure(name: string): ReadonlySet<string> {
    if (!this.direct.has(name)) return new Set([name]);
    let closure = this.closures.get(name);
    if (!closure) {
      closure = this.reach(name);
      this.closures.set(name, closure);
    }
    return closure;
  }

  /** DefaultRoleManager.syncedHasLink without domains: the same answers. */
  syncedHasLink(name: string, role: string, ...domain: string[]): boolean {
    if (domain.length > 0) throw new Error('error: this role definition has no domains');
    return name === role || (this.direct.has(name) && this.closure(name).has(role));
  }

  hasLink(name: string, role: string, ...domain: string[]): Promise<boolean> {
    return Promise.resolve(this.syncedHasLink(name, role, ...domain));
  }

  getRoles(name: string): Promise<string[]> {
    return Promise.resolve([...(this.direct.get(name) ?? [])]);
  }

  getUsers(role: string): Promise<string[]> {
    return Promise.resolve([...this.direct].filter(([, roles]) => roles.includes(role)).map(([name]) => name));
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

  deleteLink(): Promise<void> {
    return this.clear();
  }

  private reach(name: string): Set<string> {
    const seen = new Set([name]);
    let frontier = [name];
    for (let level = 0; level < this.maxHierarchyLevel && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const n of frontier) {
        for (const role of this.direct.get(n) ?? []) {
          if (!seen.has(role)) {
            seen.add(role);
            next.push(role);
          }
        }
      }
      frontier = next;
    }
    return seen;
  }
}
