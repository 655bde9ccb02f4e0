import { describe, expect, it } from 'vitest';

import { evaluateMarker, parseMarker } from './marker';
import {
  formatRequirement,
  isExactPin,
  normalizePipName,
  parsePipSection,
  parseRequirement,
  pinRequirement,
} from './requirement';

// Cases from PEP 508's grammar and its test list (https://peps.python.org/pep-0508/#complete-grammar).
describe('parseRequirement (PEP 508)', () => {
  it('reads names, extras, specifiers and markers', () => {
    const r = parseRequirement(
      'requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < "2.7"',
    );
    expect(r).toMatchObject({
      name: 'requests',
      normalized: 'requests',
      extras: ['security', 'tests'],
      specifier: '>=2.8.1,==2.8.*',
      marker: 'python_version < "2.7"',
    });
    expect(parseRequirement('name<=1').specifier).toBe('<=1');
    expect(parseRequirement('name (>=1.0)').specifier).toBe('>=1.0');
    expect(
      parseRequirement("name[quux, strange];python_version<'2.7' and platform_version=='2'"),
    ).toMatchObject({
      extras: ['quux', 'strange'],
      marker: "python_version<'2.7' and platform_version=='2'",
    });
    expect(parseRequirement('Zope.Interface_x===1.0').normalized).toBe('zope-interface-x');
    expect(parseRequirement('pkg  # a comment').raw).toBe('pkg');
  });

  it('reads name @ URL, with a marker after a space', () => {
    const r = parseRequirement(
      'pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686',
    );
    expect(r.url).toBe(
      'https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686',
    );
    const m = parseRequirement(
      'name @ http://foo.com/name-1.0-py3-none-any.whl ; python_version=="3.11"',
    );
    expect(m).toMatchObject({
      url: 'http://foo.com/name-1.0-py3-none-any.whl',
      marker: 'python_version=="3.11"',
    });
    expect(formatRequirement(m)).toBe(
      'name @ http://foo.com/name-1.0-py3-none-any.whl ; python_version=="3.11"',
    );
  });

  it.each([
    ['', /empty/],
    ['-pkg', /package name/],
    ['pkg >= ', /version specifier/],
    ['pkg >=1.*', /wildcard/],
    ['pkg[a', /closing/],
    ['pkg[a b]', /extra name/],
    ['pkg @ ', /URL/],
    ['pkg @ git+https://github.com/x/y', /http\(s\) URL/],
    ['pkg @ https://x/y.whl;python_version>"3"', /space before/],
    ['pkg ; ', /nothing follows/],
    ['pkg ; python_versio == "3"', /not a marker variable/],
    ['pkg ; python_version "3"', /not a comparison/],
    ['pkg ; (os_name == "a"', /missing "\)"/],
  ])('refuses %j', (line, message) => {
    expect(() => parseRequirement(line)).toThrow(message);
  });

  it('refuses local paths and files, pointing at the own-package field', () => {
    for (const line of [
      './src',
      '../lib',
      '/abs/pkg',
      '.',
      'dist/x-1.0-py3-none-any.whl',
      'x @ file:///tmp/x.whl',
    ])
      expect(() => parseRequirement(line), line).toThrow(/own-package field/);
  });
});

describe('parsePipSection', () => {
  it('collects requirements and index lines in every spelling', () => {
    const section = parsePipSection([
      '--index-url https://pypi.example/simple/',
      '--extra-index-url=https://${USER}:${TOKEN}@private.example/simple',
      'pyyaml>=6',
      '# a comment line',
      '',
      'jinja2[i18n]',
    ]);
    expect(section.indexUrl).toBe('https://pypi.example/simple');
    expect(section.extraIndexUrls).toEqual(['https://${USER}:${TOKEN}@private.example/simple']);
    expect(section.requirements.map((r) => r.normalized)).toEqual(['pyyaml', 'jinja2']);
    expect(parsePipSection(['-i https://a.example/simple']).indexUrl).toBe(
      'https://a.example/simple',
    );
  });

  it('refuses editables, other options, duplicates and a second index-url', () => {
    expect(() => parsePipSection(['-e .'])).toThrow(/editable.*own-package field/);
    expect(() => parsePipSection(['--editable=git+https://x/y'])).toThrow(/editable/);
    expect(() => parsePipSection(['-r other.txt'])).toThrow(
      /--index-url \/ --extra-index-url lines only/,
    );
    expect(() => parsePipSection(['PyYAML', 'pyyaml==6'])).toThrow(/already required/);
    expect(() => parsePipSection(['-i https://a.example', '-i https://b.example'])).toThrow(
      /only one --index-url/,
    );
    expect(() => parsePipSection(['--index-url ftp://a.example'])).toThrow(/http\(s\) index URL/);
  });
});

describe('names and pins', () => {
  it('normalizes as PEP 503 does', () => {
    expect(normalizePipName('Foo.Bar__baz--Q')).toBe('foo-bar-baz-q');
  });
  it('pins keeping extras and marker', () => {
    expect(pinRequirement('Jinja2[i18n]>=3 ; python_version >= "3.8"', '3.1.2')).toBe(
      'Jinja2[i18n]==3.1.2; python_version >= "3.8"',
    );
    expect(() => pinRequirement('x @ https://h/x-1-py3-none-any.whl', '1')).toThrow(
      /already exact/,
    );
    expect(isExactPin('==1.2')).toBe(true);
    expect(isExactPin('==1.*')).toBe(false);
    expect(isExactPin('>=1')).toBe(false);
  });
});

describe('markers', () => {
  const env = {
    python_version: '3.11',
    python_full_version: '3.11.2',
    sys_platform: 'linux',
    platform_machine: 'x86_64',
    os_name: 'posix',
    implementation_name: 'cpython',
  };
  it.each([
    ['python_version < "3.8"', false],
    ['python_version >= "3.8"', true],
    ['python_version > "3.9"', true],
    ['python_full_version ~= "3.11.0"', true],
    ['python_full_version ~= "3.10.0"', false],
    ['sys_platform == "win32" or os_name == "posix"', true],
    ['os_name == "a" and os_name == "b" or os_name == "posix"', true],
    ['os_name == "posix" and (sys_platform == "darwin" or platform_machine == "aarch64")', false],
    ['"linux" in sys_platform', true],
    ['platform_machine not in "x86_64 amd64"', false],
    ["sys.platform == 'linux'", true],
  ])('%s is %s', (text, expected) => {
    expect(evaluateMarker(parseMarker(text), env)).toBe(expected);
  });
  it('extra == "x" holds only with that extra requested', () => {
    const marker = parseMarker('extra == "Yaml_Support"');
    expect(evaluateMarker(marker, env, ['yaml-support'])).toBe(true);
    expect(evaluateMarker(marker, env, [])).toBe(false);
  });
});
