/**
 * The policy set: conf/access-control.yaml and every model and policy file it names, read as one
 * set. Each file is read once (two policies sharing a model see the same text), checked
 * (policy-text.ts: complete, plain UTF-8 text), and — once everything has compiled — read again:
 * only if every file still holds the bytes the policies were built from may they be swapped in. So
 * a set that changed while it was being read (an edit saved in the middle of a reload, a model
 * and its policy replaced one after the other) never yields a mix of old and new files: the
 * reload reads the set again.
 */
import path from 'node:path';
import { YamlConf } from '../core/yaml-conf.js';
import { ConfigurationError } from '../core/errors.js';
import type { Turns } from './engine/cooperative.js';
import { PolicyErrors } from './policy-errors.js';
import {
  ACCESS_CONTROL_FILE,
  fileLabel,
  readAccessControlConf,
  type NamedPolicyFiles,
} from './policy-files.js';
import { PolicyText, wholeText, type DecodedText } from './policy-text.js';

export class PolicySet {
  private readonly decoded = new Map<string, Promise<DecodedText>>();

  private constructor(
    readonly files: readonly NamedPolicyFiles[],
    private readonly texts: ReadonlyMap<string, PolicyText>,
    private readonly declaration?: PolicyText,
  ) {}

  /**
   * Reads conf/access-control.yaml (%{…} references expanded with `lookup`) and the files it
   * names. Throws PolicyErrors when access-control.yaml itself is unusable or a file cannot be read.
   */
  static async read(
    confDir: string,
    lookup: (key: string) => string | undefined,
    turns: Turns,
  ): Promise<PolicySet> {
    const file = path.join(confDir, ACCESS_CONTROL_FILE);
    const label = fileLabel(confDir, file);
    try {
      const yaml = await PolicyText.read(file, label, '(file)');
      const decoded = await yaml.decode(turns);
      if (decoded.problems.length > 0) throw new PolicyErrors(decoded.problems);
      const files = readAccessControlConf(
        new YamlConf(file, wholeText(decoded), lookup).root,
        confDir,
      );
      return new PolicySet(files, await readAll(files), yaml);
    } catch (err) {
      throw asPolicyErrors(err);
    }
  }

  /** The model and policy files of these policies, read as a set (without access-control.yaml). */
  static async ofFiles(files: readonly NamedPolicyFiles[]): Promise<PolicySet> {
    try {
      return new PolicySet(files, await readAll(files));
    } catch (err) {
      throw asPolicyErrors(err);
    }
  }

  /** A file of the set, as it was read. */
  text(file: string): PolicyText {
    const text = this.texts.get(file);
    if (!text) throw new Error(`${file} is not part of the policy set`);
    return text;
  }

  /** A file of the set decoded and checked (once, however many policies share it). */
  decode(file: string, turns: Turns): Promise<DecodedText> {
    let decoded = this.decoded.get(file);
    if (!decoded) {
      decoded = this.text(file).decode(turns);
      this.decoded.set(file, decoded);
    }
    return decoded;
  }

  /** The model and policy files (absolute paths). */
  get policyFiles(): string[] {
    return [...this.texts.keys()];
  }

  /** Every file of the set (absolute paths): access-control.yaml first. */
  get sourceFiles(): string[] {
    return [...(this.declaration ? [this.declaration.file] : []), ...this.texts.keys()];
  }

  /** Whether every file on disk still holds the bytes that were read. */
  async unchanged(turns: Turns): Promise<boolean> {
    for (const text of [...(this.declaration ? [this.declaration] : []), ...this.texts.values()]) {
      if (!(await text.unchanged(turns))) return false;
    }
    return true;
  }
}

async function readAll(files: readonly NamedPolicyFiles[]): Promise<Map<string, PolicyText>> {
  const wanted = new Map<string, [label: string, key: string]>();
  for (const f of files) {
    wanted.set(f.modelFile, [f.modelLabel, f.name]);
    wanted.set(f.policyFile, [f.policyLabel, f.name]);
  }
  const texts = await Promise.all(
    [...wanted].map(([file, [label, key]]) => PolicyText.read(file, label, key)),
  );
  return new Map(texts.map((t) => [t.file, t]));
}

function asPolicyErrors(err: unknown): unknown {
  if (err instanceof PolicyErrors || !(err instanceof ConfigurationError)) return err;
  return new PolicyErrors([err]);
}
