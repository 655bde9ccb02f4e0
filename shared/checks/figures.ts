import type { BuildRecord } from '../api/build';

/** What a benchmark or table shows per variant: size beside measured start-up and memory. */
export interface VariantFigures {
  variant: string;
  bytecode?: string;
  sizeBytes?: number;
  startupMs?: number;
  peakMemoryBytes?: number;
  servicePassed?: boolean;
}

/** The figures of every variant of a build (bench/ prints them beside the article's sizes). */
export function variantFigures(record: Pick<BuildRecord, 'variants'>): VariantFigures[] {
  return record.variants.map((v) => ({
    variant: v.id,
    ...(v.bytecode ? { bytecode: v.bytecode } : {}),
    ...(v.sizeBytes !== undefined ? { sizeBytes: v.sizeBytes } : {}),
    ...(v.service?.startupMs !== undefined ? { startupMs: v.service.startupMs } : {}),
    ...(v.service?.peakMemoryBytes !== undefined
      ? { peakMemoryBytes: v.service.peakMemoryBytes }
      : {}),
    ...(v.service ? { servicePassed: v.service.passed } : {}),
  }));
}
