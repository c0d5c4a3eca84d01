import { describe, expect, it } from 'vitest';
import { expandReferences, parseProperties } from '../../src/core/properties.js';
import { ConfigurationError } from '../../src/core/errors.js';

describe('parseProperties', () => {
  it('reads Java .properties syntax with the line of each key', () => {
    const text = ['# comment', '! also a comment', '', 'a = 1', 'b:2', 'c 3', '  d = spaced  ', 'e = one \\', '    two', 'f = tab\\tand\\u00e9', 'g ='].join('\n');
    const map = parseProperties(text, 'conf/x.properties');
    expect(Object.fromEntries([...map].map(([k, v]) => [k, v.value]))).toEqual({
      a: '1', b: '2', c: '3', d: 'spaced', e: 'one two', f: 'tab\tandé', g: '',
    });
    expect(map.get('e')!.source).toBe('conf/x.properties:8');
  });
});

describe('expandReferences', () => {
  const values: Record<string, string> = { 'idp.port': '8080', 'idp.baseURL': 'http://localhost:%{idp.port}', loop: '%{loop}' };
  const lookup = (k: string) => values[k];

  it('expands nested references and defaults', () => {
    expect(expandReferences('%{idp.baseURL}/x', lookup, { file: 'f', key: 'k' })).toBe('http://localhost:8080/x');
    expect(expandReferences('%{missing:fallback}', lookup, { file: 'f', key: 'k' })).toBe('fallback');
  });

  it('names file and key for an undefined reference or a cycle', () => {
    expect(() => expandReferences('%{nope}', lookup, { file: 'conf/a.yaml:3', key: 'x.y' })).toThrow('conf/a.yaml:3: x.y: refers to undefined property %{nope}');
    expect(() => expandReferences('%{loop}', lookup, { file: 'f', key: 'k' })).toThrow(ConfigurationError);
  });
});
