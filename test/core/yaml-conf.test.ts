/**
 * Reading the YAML configuration files: every error names the file (folder/name:line) and the key
 * path; string values have %{property} references expanded, with the reference's own file and key
 * when one is undefined.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { keyPath, YamlConf } from '../../src/core/yaml-conf.js';

const FILE = '/somewhere/conf/relying-party.yaml';
const props: Record<string, string> = { 'demo.sp.baseURL': 'https://sp.example.org', port: '8443' };
const lookup = (k: string) => props[k];

function conf(lines: string[]): YamlConf {
  return new YamlConf(FILE, lines.join('\n'), lookup);
}

function failure(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw err;
  }
  throw new Error('no configuration error');
}

describe('YamlConf', () => {
  it('labels the file as folder/name', () => {
    expect(conf(['a: 1']).label).toBe(path.join('conf', 'relying-party.yaml'));
  });

  it('refuses a YAML syntax error with its line', () => {
    const err = failure(() => conf(['ok: 1', 'a: b: c', 'other: 2']));
    expect(err.file).toBe('conf/relying-party.yaml:2');
    expect(err.key).toBe('(document)');
    // The parser's first line only (not its code frame).
    expect(err.message).toMatch(
      /^conf\/relying-party\.yaml:2: \(document\): Nested mappings [^\n]*$/,
    );
  });

  it('refuses a key given twice, naming its line', () => {
    const err = failure(() => conf(['a: 1', 'b: 2', 'a: 3']));
    expect(err.message).toMatch(/^conf\/relying-party\.yaml:3: \(document\): /);
  });

  it('reads an empty file as an empty map', () => {
    const root = conf([]).root;
    expect(root.list('anything')).toEqual([]);
    expect(root.string('name', 'fallback')).toBe('fallback');
  });

  it('refuses a missing file naming it', () => {
    const missing = path.join(tmpdir(), 'no-such-dir-yaml-conf', 'x.yaml');
    const err = failure(() => YamlConf.read(missing, lookup));
    expect(err.message).toBe(`${missing}: (file): file not found`);
  });

  it('reads a file from disk', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'yaml-conf-'));
    const file = path.join(dir, 'a.yaml');
    writeFileSync(file, 'name: "%{port}"\n');
    const read = YamlConf.read(file, lookup);
    expect(read.root.string('name')).toBe('8443');
    expect(read.label).toBe(path.join(path.basename(dir), 'a.yaml'));
  });
});

describe('ConfNode values', () => {
  const doc = conf([
    'sps:', //                                      1
    '  - entityID: https://sp.example.org/sp', //  2
    '    acs: "%{demo.sp.baseURL}/saml/acs"', //     3
    '    port: 8443', //                            4
    '    signed: yes-please', //                    5
    '    retries: -1', //                           6
    '    flows: [impersonate, "%{port}"]', //       7
    '    bad: "%{nope}"', //                        8
    '    empty: "  "', //                           9
    '    nested: { x: 1 }', //                      10
    'name: plain', //                               11
  ]);
  const sp = doc.root.list('sps')[0]!;

  it('expands references in strings and lists of strings', () => {
    expect(sp.string('acs')).toBe('https://sp.example.org/saml/acs');
    expect(sp.strings('flows')).toEqual(['impersonate', '8443']);
  });

  it('reads a number as a string where a string is asked for', () => {
    expect(sp.string('port')).toBe('8443');
  });

  it('names the file:line and key path of an undefined reference', () => {
    expect(failure(() => sp.string('bad')).message).toBe(
      'conf/relying-party.yaml:8: sps[0].bad: refers to undefined property %{nope}',
    );
  });

  it('requires a string that has no default, and refuses a blank one', () => {
    expect(failure(() => sp.string('missing')).message).toBe(
      'conf/relying-party.yaml:2: sps[0].missing: is required',
    );
    expect(failure(() => sp.string('empty')).message).toBe(
      'conf/relying-party.yaml:9: sps[0].empty: must not be empty',
    );
    expect(sp.string('missing', 'dflt')).toBe('dflt');
    expect(sp.optionalString('missing')).toBeUndefined();
    expect(sp.optionalString('acs')).toBe('https://sp.example.org/saml/acs');
  });

  it('refuses a map where a string is asked for', () => {
    expect(failure(() => sp.string('nested')).message).toBe(
      'conf/relying-party.yaml:10: sps[0].nested: must be a string',
    );
  });

  it('checks booleans and non-negative integers', () => {
    expect(sp.boolean('absent', true)).toBe(true);
    expect(failure(() => sp.boolean('signed', false)).message).toBe(
      'conf/relying-party.yaml:5: sps[0].signed: must be true or false',
    );
    expect(sp.integer('port', 0)).toBe(8443);
    expect(sp.integer('absent', 7)).toBe(7);
    expect(failure(() => sp.integer('retries', 0)).message).toBe(
      'conf/relying-party.yaml:6: sps[0].retries: must be a non-negative integer',
    );
  });

  it('takes a single value as a one-item list, and refuses a list of maps as strings', () => {
    expect(doc.root.strings('name')).toEqual(['plain']);
    expect(failure(() => doc.root.strings('sps')).message).toMatch(
      /^conf\/relying-party\.yaml:\d+: sps: must be a list of strings$/,
    );
  });

  it('refuses a map where a list is asked for and a list where a map is asked for', () => {
    expect(failure(() => sp.list('nested')).message).toBe(
      'conf/relying-party.yaml:10: sps[0].nested: must be a list',
    );
    // The line is the value's: the list under "sps:" starts on line 2.
    expect(failure(() => doc.root.entries('sps')).message).toBe(
      'conf/relying-party.yaml:2: sps: must be a map',
    );
    expect(sp.entries('nested').map(([k, node]) => [k, node.value])).toEqual([['x', 1]]);
  });

  it('refuses an unknown key (a typo) naming it and the keys allowed', () => {
    expect(failure(() => sp.allowKeys('entityID', 'acs')).message).toBe(
      'conf/relying-party.yaml:4: sps[0].port: unknown key (expected one of entityID, acs)',
    );
    expect(doc.root.allowKeys('sps', 'name')).toBe(doc.root);
  });

  it('refuses a list item that is not a map when its keys are read', () => {
    const items = conf(['sps:', '  - just-a-string']).root.list('sps');
    expect(failure(() => items[0]!.string('entityID')).message).toBe(
      'conf/relying-party.yaml:2: sps[0]: must be a map',
    );
  });

  it('reports a missing key where its parent is declared', () => {
    expect(failure(() => sp.child('nested').string('y')).message).toBe(
      'conf/relying-party.yaml:10: sps[0].nested.y: is required',
    );
  });
});

describe('keyPath', () => {
  it.each([
    [[], '(root)'],
    [['a'], 'a'],
    [['a', 'b'], 'a.b'],
    [['sps', 2, 'acs'], 'sps[2].acs'],
    [['flows', 0, 1], 'flows[0][1]'],
  ] as [(string | number)[], string][])('%j → %s', (at, text) => expect(keyPath(at)).toBe(text));
});
