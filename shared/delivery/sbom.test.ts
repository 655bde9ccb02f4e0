import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';

import { SPDX_23_RULES, spdxSemanticErrors } from '../../test/support/spdx-2.3-rules';
import type { LockedPackage } from '../conda/lock-model';
import { channelOf, normalizePypiName, purlOf } from './purl';
import { buildSbom, declaredLicense, sbomNamespace } from './sbom';

const validate = new Ajv({ allErrors: true }).compile(SPDX_23_RULES);

function conda(name: string, version: string, depends: string[] = []): LockedPackage {
  return {
    name,
    version,
    build: 'h0_1',
    buildNumber: 1,
    platform: 'linux-64',
    subdir: 'linux-64',
    url: `https://conda.anaconda.org/conda-forge/linux-64/${name}-${version}-h0_1.conda`,
    md5: 'd7c89558ba9fa0495403155b64376d81',
    sha256: 'a'.repeat(64),
    depends,
    manager: 'conda',
    category: 'main',
    optional: false,
  };
}

const pip: LockedPackage = {
  ...conda('Typing_Extensions', '4.12.2'),
  manager: 'pip',
  build: '',
  subdir: '',
  url: 'https://files.pythonhosted.org/packages/x/typing_extensions-4.12.2-py3-none-any.whl',
  md5: '',
  sha256: 'b'.repeat(64),
};

const input = {
  name: 'condense/churn',
  lockHash: 'f'.repeat(64),
  platform: 'linux-64',
  packages: [
    conda('python', '3.11.9', ['libzlib >=1.2', 'pip']),
    conda('libzlib', '1.3.1'),
    conda('pip', '24.0', ['python >=3.8']),
    { ...conda('numpy', '2.0.0', ['python']), platform: 'osx-arm64' },
    pip,
  ],
  licenses: { python: 'Python-2.0', libzlib: 'Zlib', pip: 'MIT License' },
  removals: [
    { variant: 'expert', package: 'python', ruleId: 'pycache', files: 120, bytes: 5_000_000 },
  ],
  created: '2026-12-02T10:00:00Z',
  tool: 'condense-0.1.0',
};

describe('SPDX 2.3 from a lock', () => {
  it('passes the SPDX 2.3 schema rules, and the rules catch mistakes', () => {
    const document = buildSbom(input);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...document, spdxVersion: 'SPDX-2.2' })).toBe(false);
    const bad = structuredClone(document);
    bad.packages[1]!.SPDXID = 'SPDXRef-has space';
    expect(validate(bad)).toBe(false);
    expect(validate({ ...document, extra: 1 })).toBe(false);
  });

  it('keeps the rules SPDX states outside its schema: ids, relationships, licences, purls', () => {
    const document = buildSbom(input);
    expect(spdxSemanticErrors(document)).toEqual([]);
    const bad = structuredClone(document);
    bad.packages[1]!.SPDXID = bad.packages[2]!.SPDXID;
    bad.packages[0]!.licenseDeclared = 'MIT OR';
    bad.packages[0]!.externalRefs = [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'numpy@1' },
    ];
    bad.relationships.push({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: 'SPDXRef-missing',
    });
    // The renamed package's old id is gone too, so relationships to it are reported.
    expect(spdxSemanticErrors(bad)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('licenseDeclared'),
        expect.stringContaining('not a purl'),
        expect.stringContaining('duplicate SPDXID'),
        expect.stringContaining('relationship to unknown SPDXRef-Package-conda-libzlib'),
        'relationship to unknown SPDXRef-missing',
      ]),
    );
  });

  it('lists each package of the platform once, with checksums, purls and declared licences', () => {
    const document = buildSbom(input);
    const names = document.packages.map((p) => p.name);
    expect(names).toEqual(['condense/churn', 'libzlib', 'pip', 'python', 'Typing_Extensions']);
    const python = document.packages.find((p) => p.name === 'python')!;
    expect(python.versionInfo).toBe('3.11.9-h0_1');
    expect(python.checksums).toEqual([
      { algorithm: 'MD5', checksumValue: 'd7c89558ba9fa0495403155b64376d81' },
      { algorithm: 'SHA256', checksumValue: 'a'.repeat(64) },
    ]);
    expect(python.externalRefs![0]!.referenceLocator).toBe(
      'pkg:conda/python@3.11.9?build=h0_1&channel=conda-forge&subdir=linux-64&type=conda',
    );
    expect(python.licenseDeclared).toBe('Python-2.0');
    // "MIT License" is no SPDX id; spdx-correct knows it.
    expect(document.packages.find((p) => p.name === 'pip')!.licenseDeclared).toBe('MIT');
    const typing = document.packages.find((p) => p.name === 'Typing_Extensions')!;
    expect(typing.externalRefs![0]!.referenceLocator).toBe('pkg:pypi/typing-extensions@4.12.2');
    expect(typing.checksums).toEqual([{ algorithm: 'SHA256', checksumValue: 'b'.repeat(64) }]);
    expect(typing.licenseDeclared).toBe('NOASSERTION');
  });

  it('relates the image to its packages and the packages to their dependencies', () => {
    const document = buildSbom(input);
    const id = (name: string) => document.packages.find((p) => p.name === name)!.SPDXID;
    expect(document.relationships).toContainEqual({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: 'SPDXRef-Package-image',
    });
    expect(document.relationships.filter((r) => r.relationshipType === 'CONTAINS')).toHaveLength(4);
    const dependsOn = (from: string) =>
      document.relationships
        .filter((r) => r.relationshipType === 'DEPENDS_ON' && r.spdxElementId === id(from))
        .map((r) => r.relatedSpdxElement);
    expect(dependsOn('python').sort()).toEqual([id('libzlib'), id('pip')].sort());
    expect(dependsOn('pip')).toEqual([id('python')]);
  });

  it("notes what a variant's prune rules remove of a package", () => {
    const python = buildSbom(input).packages.find((p) => p.name === 'python')!;
    expect(python.annotations).toEqual([
      expect.objectContaining({
        annotationType: 'OTHER',
        annotator: 'Tool: condense-0.1.0',
        comment: expect.stringMatching(
          /Variant expert: prune rule pycache removes 120 file/,
        ) as unknown,
      }),
    ]);
  });

  it('is stable: same inputs, same document; the namespace names lock and variant', () => {
    expect(JSON.stringify(buildSbom(input))).toBe(
      JSON.stringify(buildSbom(structuredClone(input))),
    );
    expect(buildSbom({ ...input, variant: 'expert' }).documentNamespace).toBe(
      sbomNamespace('condense/churn', 'f'.repeat(64), 'expert'),
    );
    expect(sbomNamespace('a', 'h')).not.toBe(sbomNamespace('a', 'h', 'expert'));
  });
});

describe('licences and purls', () => {
  it('keeps valid expressions, corrects known misspellings, else NOASSERTION with the text kept', () => {
    expect(declaredLicense('BSD-3-Clause AND MIT')).toEqual({ expression: 'BSD-3-Clause AND MIT' });
    expect(declaredLicense('Apache 2.0').expression).toBe('Apache-2.0');
    expect(declaredLicense('None')).toEqual({ expression: 'NOASSERTION' });
    expect(declaredLicense(undefined)).toEqual({ expression: 'NOASSERTION' });
    const odd = declaredLicense('Proprietary; ask legal');
    expect(odd.expression).toBe('NOASSERTION');
    expect(odd.comment).toContain('Proprietary; ask legal');
  });

  it('names anaconda.org channels by name and other channels by URL', () => {
    expect(channelOf('https://conda.anaconda.org/conda-forge/noarch/six-1.16.0-pyh_0.conda')).toBe(
      'conda-forge',
    );
    expect(channelOf('http://127.0.0.1:8080/private/chan/linux-64/x-1-0.conda')).toBe(
      'http://127.0.0.1:8080/private/chan',
    );
    expect(normalizePypiName('Zope.Interface__x')).toBe('zope-interface-x');
    expect(purlOf({ ...conda('x', '1.0+local'), url: 'http://h/c/linux-64/x.tar.bz2' })).toBe(
      'pkg:conda/x@1.0%2Blocal?build=h0_1&channel=http%3A%2F%2Fh%2Fc&subdir=linux-64&type=tar.bz2',
    );
  });
});
