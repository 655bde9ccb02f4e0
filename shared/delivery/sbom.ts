import spdxCorrect from 'spdx-correct';
import parseSpdx from 'spdx-expression-parse';

import type { LockedPackage } from '../conda/lock-model';
import { purlOf } from './purl';

/** What one variant's prune rules remove of one package (from the savings estimate). */
export interface PackageRemoval {
  variant: string;
  package: string;
  ruleId: string;
  files: number;
  bytes: number;
}

export interface SbomInput {
  /** The image or project name (`condense/churn-model`). */
  name: string;
  /** Identifies the lock the document describes; makes the namespace unique per lock and variant. */
  lockHash: string;
  /** The variant the document is for; none: the environment as locked. */
  variant?: string;
  platform: string;
  packages: LockedPackage[];
  /** Declared licence per package name, as the package's metadata says (conda `info/index.json`). */
  licenses: Record<string, string | undefined>;
  removals: PackageRemoval[];
  /** ISO 8601 UTC; the caller picks it, so the same inputs give the same document. */
  created: string;
  tool: string;
}

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo: string;
  downloadLocation: string;
  filesAnalyzed: false;
  licenseConcluded: 'NOASSERTION';
  licenseDeclared: string;
  licenseComments?: string;
  copyrightText: 'NOASSERTION';
  supplier: 'NOASSERTION';
  primaryPackagePurpose: 'LIBRARY' | 'CONTAINER';
  checksums?: { algorithm: 'MD5' | 'SHA256'; checksumValue: string }[];
  externalRefs?: {
    referenceCategory: 'PACKAGE-MANAGER';
    referenceType: 'purl';
    referenceLocator: string;
  }[];
  annotations?: {
    annotationDate: string;
    annotationType: 'OTHER';
    annotator: string;
    comment: string;
  }[];
  comment?: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
}

/** The namespace is a URI that is unique per document; derived from the lock, so it is stable. */
export const SBOM_NAMESPACE_BASE = 'https://spdx.condense.invalid';

/** The label that points from an image to the SBOM of its lock and variant. */
export const SBOM_LABEL = 'dev.condense.sbom';

export function sbomNamespace(name: string, lockHash: string, variant?: string): string {
  const parts = [name, variant ?? 'environment', lockHash].map(encodeURIComponent);
  return `${SBOM_NAMESPACE_BASE}/${parts.join('/')}`;
}

/** SPDX IDs allow letters, digits, `.` and `-` only. */
function spdxId(kind: string, pkg: LockedPackage): string {
  const safe = `${pkg.name}-${pkg.version}`.replace(/[^A-Za-z0-9.-]+/g, '-');
  return `SPDXRef-Package-${kind}-${safe}`;
}

/**
 * A licence as an SPDX expression: as declared when valid, corrected when a well-known misspelling
 * (`BSD 3-Clause`), else NOASSERTION with the declared text kept as a comment.
 */
export function declaredLicense(raw: string | undefined): { expression: string; comment?: string } {
  const text = raw?.trim();
  if (!text || /^(none|unknown|n\/a)$/i.test(text)) return { expression: 'NOASSERTION' };
  try {
    parseSpdx(text);
    return { expression: text };
  } catch {
    const corrected = spdxCorrect(text, { upgrade: true });
    if (corrected) return { expression: corrected, comment: `Declared as "${text}".` };
    return { expression: 'NOASSERTION', comment: `Declared as "${text}", not an SPDX expression.` };
  }
}

function describePackage(pkg: LockedPackage, input: SbomInput, id: string): SpdxPackage {
  const license = declaredLicense(input.licenses[pkg.name]);
  const checksums: SpdxPackage['checksums'] = [];
  if (pkg.md5) checksums.push({ algorithm: 'MD5', checksumValue: pkg.md5 });
  if (pkg.sha256) checksums.push({ algorithm: 'SHA256', checksumValue: pkg.sha256 });
  const removals = input.removals.filter((r) => r.package === pkg.name);
  return {
    SPDXID: id,
    name: pkg.name,
    versionInfo: pkg.manager === 'conda' && pkg.build ? `${pkg.version}-${pkg.build}` : pkg.version,
    downloadLocation: pkg.url || 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: license.expression,
    ...(license.comment ? { licenseComments: license.comment } : {}),
    copyrightText: 'NOASSERTION',
    supplier: 'NOASSERTION',
    primaryPackagePurpose: 'LIBRARY',
    ...(checksums.length ? { checksums } : {}),
    externalRefs: [
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: purlOf(pkg),
      },
    ],
    comment: `Installed by ${pkg.manager === 'pip' ? 'pip' : 'conda'} (category ${pkg.category}).`,
    ...(removals.length
      ? {
          annotations: removals.map((r) => ({
            annotationDate: input.created,
            annotationType: 'OTHER' as const,
            annotator: `Tool: ${input.tool}`,
            comment: `Variant ${r.variant}: prune rule ${r.ruleId} removes ${r.files} file(s), ${r.bytes} bytes of this package from the image.`,
          })),
        }
      : {}),
  };
}

function dependencyName(spec: string): string {
  return spec
    .trim()
    .split(/[\s=<>!~[;]/, 1)[0]!
    .toLowerCase();
}

/**
 * An SPDX 2.3 document for one platform of a lock: the image (or environment) as a package that
 * CONTAINS each locked package, DEPENDS_ON edges from the packages' own dependencies, checksums,
 * purls, declared licences, and per variant what its prune rules remove.
 */
export function buildSbom(input: SbomInput): SpdxDocument {
  const packages = input.packages
    .filter((p) => p.platform === input.platform)
    .sort((a, b) => a.manager.localeCompare(b.manager) || a.name.localeCompare(b.name));
  const rootId = 'SPDXRef-Package-image';
  const ids = new Map<string, string>();
  for (const pkg of packages)
    ids.set(`${pkg.manager}:${pkg.name.toLowerCase()}`, spdxId(pkg.manager, pkg));
  const root: SpdxPackage = {
    SPDXID: rootId,
    name: input.variant ? `${input.name}:${input.variant}` : input.name,
    versionInfo: input.lockHash,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    supplier: 'NOASSERTION',
    primaryPackagePurpose: 'CONTAINER',
    comment: `The conda environment for ${input.platform}, as locked${input.variant ? `, in image variant ${input.variant}` : ''}.`,
  };
  const relationships: SpdxDocument['relationships'] = [
    {
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: rootId,
    },
  ];
  for (const pkg of packages) {
    const id = ids.get(`${pkg.manager}:${pkg.name.toLowerCase()}`)!;
    relationships.push({
      spdxElementId: rootId,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: id,
    });
    const seen = new Set<string>();
    for (const spec of pkg.depends) {
      const name = dependencyName(spec);
      const target = ids.get(`${pkg.manager}:${name}`) ?? ids.get(`conda:${name}`);
      if (!target || target === id || seen.has(target)) continue;
      seen.add(target);
      relationships.push({
        spdxElementId: id,
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: target,
      });
    }
  }
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: root.name,
    documentNamespace: sbomNamespace(input.name, input.lockHash, input.variant),
    creationInfo: { created: input.created, creators: [`Tool: ${input.tool}`] },
    packages: [
      root,
      ...packages.map((pkg) =>
        describePackage(pkg, input, ids.get(`${pkg.manager}:${pkg.name.toLowerCase()}`)!),
      ),
    ],
    relationships,
  };
}
