/**
 * Reading the YAML configuration files with errors that name file, line and key. Every string value
 * has %{property} references expanded, so a relying party can say "%{demo.sp.baseURL}/saml/acs".
 * Shared: the configuration validator reads conf files with it at start-up, the access folder reads
 * access-control.yaml again at every policy reload, the directory and the policy CLI their own files.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigurationError } from './errors.js';
import { expandReferences } from './properties.js';

type PathPart = string | number;

export class YamlConf {
  readonly label: string;
  readonly root: ConfNode;
  private readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(
    readonly file: string,
    text: string,
    readonly lookup: (key: string) => string | undefined,
  ) {
    this.label = path.join(path.basename(path.dirname(file)), path.basename(file));
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true });
    const first = this.doc.errors[0];
    if (first) {
      const line = this.lines.linePos(first.pos[0]).line;
      throw new ConfigurationError(
        `${this.label}:${line}`,
        '(document)',
        first.message.split('\n')[0]!,
      );
    }
    this.root = new ConfNode(this, [], this.doc.toJS() ?? {});
  }

  static read(file: string, lookup: (key: string) => string | undefined): YamlConf {
    if (!existsSync(file)) {
      throw new ConfigurationError(file, '(file)', 'file not found');
    }
    return new YamlConf(file, readFileSync(file, 'utf8'), lookup);
  }

  where(at: PathPart[]): string {
    for (let n = at.length; n >= 0; n--) {
      const node = this.doc.getIn(at.slice(0, n), true) as
        { range?: [number, number, number] } | undefined;
      if (node?.range) return `${this.label}:${this.lines.linePos(node.range[0]).line}`;
    }
    return this.label;
  }
}

export function keyPath(at: PathPart[]): string {
  return (
    at.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
      '',
    ) || '(root)'
  );
}

export class ConfNode {
  constructor(
    readonly conf: YamlConf,
    readonly at: PathPart[],
    readonly value: unknown,
  ) {}

  fail(problem: string, sub?: PathPart): never {
    throw this.error(problem, sub);
  }

  error(problem: string, sub?: PathPart): ConfigurationError {
    const at = sub === undefined ? this.at : [...this.at, sub];
    return new ConfigurationError(this.conf.where(at), keyPath(at), problem);
  }

  has(key: string): boolean {
    return this.asObject()[key] !== undefined && this.asObject()[key] !== null;
  }

  child(key: PathPart): ConfNode {
    const v = typeof key === 'number' ? this.asArray()[key] : this.asObject()[key];
    return new ConfNode(this.conf, [...this.at, key], v);
  }

  string(key: string, fallback?: string): string {
    const v = this.asObject()[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      return this.fail('is required', key);
    }
    if (typeof v !== 'string' && typeof v !== 'number') return this.fail('must be a string', key);
    const text = this.expand(String(v), key);
    if (text.trim() === '' && fallback === undefined) return this.fail('must not be empty', key);
    return text;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.asObject()[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') return this.fail('must be true or false', key);
    return v;
  }

  integer(key: string, fallback: number): number {
    const v = this.asObject()[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      return this.fail('must be a non-negative integer', key);
    return v;
  }

  strings(key: string, fallback: string[] = []): string[] {
    const v = this.asObject()[key];
    if (v === undefined || v === null) return fallback;
    const list = Array.isArray(v) ? v : [v];
    return list.map((item, i) => {
      if (typeof item !== 'string' && typeof item !== 'number')
        return this.fail('must be a list of strings', key);
      return this.expand(String(item), key, i);
    });
  }

  list(key: string): ConfNode[] {
    const v = this.asObject()[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail('must be a list', key);
    const node = this.child(key);
    return v.map((_, i) => node.child(i));
  }

  entries(key: string): [string, ConfNode][] {
    const v = this.asObject()[key];
    if (v === undefined || v === null) return [];
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail('must be a map', key);
    const node = this.child(key);
    return Object.keys(v).map((k) => [k, node.child(k)]);
  }

  /** Keys this node may have; anything else is a typo and fails. */
  allowKeys(...allowed: string[]): this {
    for (const key of Object.keys(this.asObject())) {
      if (!allowed.includes(key))
        this.fail(`unknown key (expected one of ${allowed.join(', ')})`, key);
    }
    return this;
  }

  private asObject(): Record<string, unknown> {
    if (this.value === undefined || this.value === null) return {};
    if (typeof this.value !== 'object' || Array.isArray(this.value))
      return this.fail('must be a map');
    return this.value as Record<string, unknown>;
  }

  private asArray(): unknown[] {
    return Array.isArray(this.value) ? this.value : this.fail('must be a list');
  }

  private expand(text: string, key: string, index?: number): string {
    const at = index === undefined ? [...this.at, key] : [...this.at, key, index];
    return expandReferences(text, this.conf.lookup, {
      file: this.conf.where(at),
      key: keyPath(at),
    });
  }
}
