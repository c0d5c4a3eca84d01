/**
 * The roles a name holds through one role definition's rows (g, g2 …), as casbin's
 * DefaultRoleManager sees them: the name itself plus every role reachable over at most
 * maxHierarchyLevel links (the enforcer creates its role managers with 10). It only selects
 * candidate rows for g(r.x, p.y); the decision itself still calls casbin's own g().
 */
export const CASBIN_MAX_HIERARCHY_LEVEL = 10;

export class RoleGraph {
  private readonly direct = new Map<string, string[]>();
  /** Closures of names that have roles, computed on first use (the graph never changes). */
  private readonly closures = new Map<string, ReadonlySet<string>>();

  constructor(private readonly maxHierarchyLevel = CASBIN_MAX_HIERARCHY_LEVEL) {}

  addLink(name: string, role: string): void {
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
