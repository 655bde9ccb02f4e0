import parseSpdx from 'spdx-expression-parse';

/**
 * The SPDX 2.3 JSON schema's rules for what Condense writes, restated as a JSON Schema of our own:
 * the required fields, enums and `additionalProperties: false` of the document, packages, checksums,
 * external references, annotations and relationships, as spdx-spec's `schemas/spdx-schema-2-3.json`
 * defines them, plus the SPDX ID and lower-case hex rules the specification's text gives.
 */
const CHECKSUM_ALGORITHMS = [
  'SHA1',
  'BLAKE3',
  'SHA3-384',
  'SHA256',
  'SHA384',
  'BLAKE2b-512',
  'BLAKE2b-256',
  'SHA3-512',
  'MD2',
  'ADLER32',
  'MD4',
  'SHA3-256',
  'BLAKE2b-384',
  'SHA512',
  'MD6',
  'MD5',
  'SHA224',
];
const PURPOSES = [
  'OTHER',
  'INSTALL',
  'ARCHIVE',
  'FIRMWARE',
  'APPLICATION',
  'FRAMEWORK',
  'LIBRARY',
  'CONTAINER',
  'SOURCE',
  'DEVICE',
  'OPERATING-SYSTEM',
  'FILE',
];
const RELATIONSHIPS = [
  'VARIANT_OF',
  'COPY_OF',
  'PATCH_FOR',
  'TEST_DEPENDENCY_OF',
  'CONTAINED_BY',
  'DATA_FILE_OF',
  'OPTIONAL_COMPONENT_OF',
  'ANCESTOR_OF',
  'GENERATES',
  'CONTAINS',
  'OPTIONAL_DEPENDENCY_OF',
  'FILE_ADDED',
  'REQUIREMENT_DESCRIPTION_FOR',
  'DEV_DEPENDENCY_OF',
  'DEPENDENCY_OF',
  'BUILD_DEPENDENCY_OF',
  'DESCRIBES',
  'PREREQUISITE_FOR',
  'HAS_PREREQUISITE',
  'PROVIDED_DEPENDENCY_OF',
  'DYNAMIC_LINK',
  'DESCRIBED_BY',
  'METAFILE_OF',
  'DEPENDENCY_MANIFEST_OF',
  'PATCH_APPLIED',
  'RUNTIME_DEPENDENCY_OF',
  'TEST_OF',
  'TEST_TOOL_OF',
  'DEPENDS_ON',
  'SPECIFICATION_FOR',
  'FILE_MODIFIED',
  'DISTRIBUTION_ARTIFACT',
  'AMENDS',
  'DOCUMENTATION_OF',
  'GENERATED_FROM',
  'STATIC_LINK',
  'OTHER',
  'BUILD_TOOL_OF',
  'TEST_CASE_OF',
  'PACKAGE_OF',
  'DESCENDANT_OF',
  'FILE_DELETED',
  'EXPANDED_FROM_ARCHIVE',
  'DEV_TOOL_OF',
  'EXAMPLE_OF',
];

const string = { type: 'string' };
const spdxId = { type: 'string', pattern: '^SPDXRef-[A-Za-z0-9.-]+$' };
const isoUtc = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' };

const annotation = {
  type: 'object',
  properties: {
    annotationDate: isoUtc,
    annotationType: { enum: ['OTHER', 'REVIEW'] },
    annotator: { type: 'string', pattern: '^(Person|Organization|Tool): .+' },
    comment: string,
  },
  required: ['annotationDate', 'annotationType', 'annotator', 'comment'],
  additionalProperties: false,
};

const spdxPackage = {
  type: 'object',
  properties: {
    SPDXID: spdxId,
    annotations: { type: 'array', items: annotation },
    checksums: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          algorithm: { enum: CHECKSUM_ALGORITHMS },
          checksumValue: { type: 'string', pattern: '^[0-9a-f]+$' },
        },
        required: ['algorithm', 'checksumValue'],
        additionalProperties: false,
      },
    },
    comment: string,
    copyrightText: string,
    downloadLocation: string,
    externalRefs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          comment: string,
          referenceCategory: { enum: ['OTHER', 'PERSISTENT-ID', 'SECURITY', 'PACKAGE-MANAGER'] },
          referenceLocator: { type: 'string', pattern: '^\\S+$' },
          referenceType: string,
        },
        required: ['referenceCategory', 'referenceLocator', 'referenceType'],
        additionalProperties: false,
      },
    },
    filesAnalyzed: { type: 'boolean' },
    licenseComments: string,
    licenseConcluded: string,
    licenseDeclared: string,
    name: string,
    primaryPackagePurpose: { enum: PURPOSES },
    supplier: string,
    versionInfo: string,
  },
  required: ['SPDXID', 'downloadLocation', 'name'],
  additionalProperties: false,
};

export const SPDX_23_RULES = {
  type: 'object',
  properties: {
    SPDXID: { const: 'SPDXRef-DOCUMENT' },
    spdxVersion: { const: 'SPDX-2.3' },
    dataLicense: { const: 'CC0-1.0' },
    name: string,
    documentNamespace: { type: 'string', pattern: '^[a-z][a-z0-9+.-]*://[^#\\s]+$' },
    creationInfo: {
      type: 'object',
      properties: {
        created: isoUtc,
        creators: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^(Person|Organization|Tool): .+' },
        },
        comment: string,
        licenseListVersion: string,
      },
      required: ['created', 'creators'],
      additionalProperties: false,
    },
    packages: { type: 'array', items: spdxPackage },
    relationships: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          spdxElementId: string,
          relatedSpdxElement: string,
          relationshipType: { enum: RELATIONSHIPS },
          comment: string,
        },
        required: ['spdxElementId', 'relatedSpdxElement', 'relationshipType'],
        additionalProperties: false,
      },
    },
  },
  required: ['SPDXID', 'creationInfo', 'dataLicense', 'name', 'spdxVersion'],
  additionalProperties: false,
} as const;

/** A package URL as the purl specification writes it: `pkg:type/[namespace/]name[@version]`. */
const PURL =
  /^pkg:[a-z][a-z0-9.+-]*\/(?:[^/@?#\s]+\/)*[^/@?#\s]+(?:@[^?#\s]+)?(?:\?[^#\s]*)?(?:#\S*)?$/;

function licenseError(value: unknown): string | undefined {
  if (value === undefined || value === 'NONE' || value === 'NOASSERTION') return undefined;
  if (typeof value !== 'string') return `not a string: ${JSON.stringify(value)}`;
  try {
    parseSpdx(value);
    return undefined;
  } catch {
    return `not an SPDX licence expression: ${value}`;
  }
}

/**
 * What SPDX 2.3 requires beyond its JSON schema (the specification's text): SPDX ids unique in the
 * document, every relationship between elements the document has, the document DESCRIBES something,
 * licence fields valid SPDX expressions (or NONE / NOASSERTION), purl locators well formed.
 */
interface SpdxShape {
  SPDXID: string;
  packages?: { SPDXID: string; [key: string]: unknown }[];
  relationships?: { spdxElementId: string; relatedSpdxElement: string; relationshipType: string }[];
}

export function spdxSemanticErrors(input: object): string[] {
  const document = input as SpdxShape;
  const errors: string[] = [];
  const ids = new Set<string>([document.SPDXID]);
  for (const pkg of document.packages ?? []) {
    if (ids.has(pkg.SPDXID)) errors.push(`duplicate SPDXID ${pkg.SPDXID}`);
    ids.add(pkg.SPDXID);
    for (const field of ['licenseDeclared', 'licenseConcluded'] as const) {
      const error = licenseError(pkg[field]);
      if (error) errors.push(`${pkg.SPDXID}.${field}: ${error}`);
    }
    const refs = (pkg.externalRefs ?? []) as { referenceType: string; referenceLocator: string }[];
    for (const ref of refs)
      if (ref.referenceType === 'purl' && !PURL.test(ref.referenceLocator))
        errors.push(`${pkg.SPDXID}: not a purl: ${ref.referenceLocator}`);
  }
  const known = (id: string) => ids.has(id) || id === 'NONE' || id === 'NOASSERTION';
  for (const r of document.relationships ?? []) {
    if (!known(r.spdxElementId)) errors.push(`relationship from unknown ${r.spdxElementId}`);
    if (!known(r.relatedSpdxElement))
      errors.push(`relationship to unknown ${r.relatedSpdxElement}`);
  }
  if (
    !(document.relationships ?? []).some(
      (r) => r.spdxElementId === document.SPDXID && r.relationshipType === 'DESCRIBES',
    )
  )
    errors.push('the document DESCRIBES nothing');
  return errors;
}
