import { describe, expect, it } from 'vitest';
import { expandReferences, parseProperties } from '../../src/core/properties.js';
import { ConfigurationError } from '../../src/core/errors.js';

const values = (map: ReturnType<typeof parseProperties>) =>
  Object.fromEntries([...map].map(([k, v]) => [k, v.value]));

describe('parseProperties', () => {
  it('reads Java .properties syntax with the line of each key', () => {
    const text = [
      '# comment',
      '! also a comment',
      '',
      'a = 1',
      'b:2',
      'c 3',
      '  d = spaced  ',
      'e = one \\',
      '    two',
      'f = tab\\tand\\u00e9',
      'g =',
    ].join('\n');
    const map = parseProperties(text, 'conf/x.properties');
    expect(Object.fromEntries([...map].map(([k, v]) => [k, v.value]))).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: 'spaced',
      e: 'one two',
      f: 'tab\tandé',
      g: '',
    });
    expect(map.get('e')!.source).toBe('conf/x.properties:8');
  });

  it('reads CRLF and CR line ends, and gives each key its own line', () => {
    const map = parseProperties('a = 1\r\nb = 2\rc = 3\n', 'p');
    expect(values(map)).toEqual({ a: '1', b: '2', c: '3' });
    expect([...map.values()].map((e) => e.source)).toEqual(['p:1', 'p:2', 'p:3']);
  });

  it('counts the lines of a continued value: the key after it has its real line number', () => {
    const map = parseProperties(['a = x \\', '  y \\', '  z', 'b = 2'].join('\n'), 'p');
    expect(values(map)).toEqual({ a: 'x y z', b: '2' });
    expect(map.get('a')!.source).toBe('p:1');
    expect(map.get('b')!.source).toBe('p:4');
  });

  it('does not continue a line ending in an escaped backslash (an even number of them)', () => {
    const map = parseProperties(['path = C:\\\\dir\\\\', 'next = 1'].join('\n'), 'p');
    expect(values(map)).toEqual({ path: 'C:\\dir\\', next: '1' });
  });

  it('takes escaped separators and spaces as part of the key', () => {
    const map = parseProperties(['a\\=b = 1', 'c\\:d: 2', 'with\\ space = 3'].join('\n'), 'p');
    expect(values(map)).toEqual({ 'a=b': '1', 'c:d': '2', 'with space': '3' });
  });

  it('keeps separators after the first inside the value', () => {
    expect(values(parseProperties('url = http://host:8080/a=b', 'p'))).toEqual({
      url: 'http://host:8080/a=b',
    });
  });

  it('reads a key alone on its line as an empty value', () => {
    expect(values(parseProperties('flag', 'p'))).toEqual({ flag: '' });
  });

  it('treats # and ! as comments only at the start of a line (after indentation)', () => {
    expect(
      values(
        parseProperties(['   # indented comment', 'color = #fff', 'bang = !x'].join('\n'), 'p'),
      ),
    ).toEqual({ color: '#fff', bang: '!x' });
  });

  it('lets a key given twice take its last value, from the line of that value', () => {
    const map = parseProperties(['a = 1', 'a = 2'].join('\n'), 'p');
    expect(map.get('a')).toEqual({ value: '2', source: 'p:2' });
  });

  it('reads the escapes \\t \\n \\r \\f, \\uXXXX, and an escaped ordinary character as itself', () => {
    expect(parseProperties('k = a\\tb\\nc\\rd\\fe\\u0041\\q', 'p').get('k')!.value).toBe(
      'a\tb\nc\rd\feAq',
    );
  });
});

describe('expandReferences', () => {
  const values: Record<string, string> = {
    'idp.port': '8080',
    'idp.baseURL': 'http://localhost:%{idp.port}',
    loop: '%{loop}',
    a: '%{b}',
    b: '%{a}',
    one: '1',
  };
  const lookup = (k: string) => values[k];

  it('expands nested references and defaults', () => {
    expect(expandReferences('%{idp.baseURL}/x', lookup, { file: 'f', key: 'k' })).toBe(
      'http://localhost:8080/x',
    );
    expect(expandReferences('%{missing:fallback}', lookup, { file: 'f', key: 'k' })).toBe(
      'fallback',
    );
  });

  it('names file and key for an undefined reference or a cycle', () => {
    expect(() =>
      expandReferences('%{nope}', lookup, { file: 'conf/a.yaml:3', key: 'x.y' }),
    ).toThrow('conf/a.yaml:3: x.y: refers to undefined property %{nope}');
    expect(() => expandReferences('%{loop}', lookup, { file: 'f', key: 'k' })).toThrow(
      ConfigurationError,
    );
  });

  it('reports a cycle through two properties, naming the property that closes it', () => {
    let caught: unknown;
    try {
      expandReferences('x %{a}', lookup, { file: 'conf/idp.properties:4', key: 'idp.entityID' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as ConfigurationError).file).toBe('conf/idp.properties:4');
    expect((caught as ConfigurationError).key).toBe('idp.entityID');
    expect((caught as ConfigurationError).message).toBe(
      'conf/idp.properties:4: idp.entityID: circular reference to %{a}',
    );
  });

  it('expands the same property twice in one text without calling it a cycle', () => {
    expect(
      expandReferences('%{one}-%{one}-%{idp.port}%{idp.port}', lookup, { file: 'f', key: 'k' }),
    ).toBe('1-1-80808080');
  });

  it('trims the name, allows an empty default, and prefers a defined value to the default', () => {
    expect(expandReferences('%{ idp.port }', lookup, { file: 'f', key: 'k' })).toBe('8080');
    expect(expandReferences('[%{missing:}]', lookup, { file: 'f', key: 'k' })).toBe('[]');
    expect(expandReferences('%{idp.port:1}', lookup, { file: 'f', key: 'k' })).toBe('8080');
  });

  it('leaves text without references, and a lone "%" or "{", as it is', () => {
    expect(expandReferences('100% {not} %x', lookup, { file: 'f', key: 'k' })).toBe(
      '100% {not} %x',
    );
  });
});
