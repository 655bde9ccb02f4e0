import type {
  CommandCheckResult,
  NetworkMode,
  ServiceCheckSpec,
  ServiceResult,
  SmokeResult,
  SmokeSpec,
} from '../../../shared/checks/model';
import { formatSize } from '../../../shared/format/size';
import type { Engine } from '../docker/engine';
import { checkImageCommand } from './command-check';
import { runServiceCheck } from './service-check';
import { hasSmokeChecks, runSmokeTests } from './smoke-runner';

export interface ImageChecksOptions {
  engine: Engine;
  imageId: string;
  /** Label for progress lines (the variant id). */
  name: string;
  smoke?: SmokeSpec;
  /** The service check, with the port the service listens on. */
  service?: ServiceCheckSpec & { port: number };
  network: NetworkMode;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  onSmoke?: (result: SmokeResult) => void;
  onService?: (result: ServiceResult) => void;
}

export interface ImageChecks {
  command?: CommandCheckResult;
  smoke?: SmokeResult;
  service?: ServiceResult;
  serviceSkipped?: string;
  /**
   * Whether the image may be tagged: its command exists and its service answered. (A failed smoke
   * test is reported beside the image, which is still tagged so it can be compared and inspected.)
   */
  passed: boolean;
  /** The first blocking failure, as one line. */
  failure?: string;
}

/**
 * Every check of a built image, in order: the CMD program (without running anything), the smoke
 * tests (no network), then the service check. One runner for builds and, later, for tracing.
 */
export async function runImageChecks(options: ImageChecksOptions): Promise<ImageChecks> {
  const { engine, imageId, name, signal } = options;
  const progress = (message: string) => options.onProgress?.(message);
  const checks: ImageChecks = { passed: true };
  const command = await checkImageCommand(engine, imageId, signal);
  if (command) {
    checks.command = command;
    progress(`Command of ${name}: ${command.message}`);
    if (!command.passed) return { ...checks, passed: false, failure: command.message };
  }
  if (hasSmokeChecks(options.smoke)) {
    progress(`Smoke-testing ${name}`);
    checks.smoke = await runSmokeTests({
      engine,
      imageId,
      spec: options.smoke,
      ...(signal ? { signal } : {}),
    });
    options.onSmoke?.(checks.smoke);
  }
  if (options.service) {
    if (options.network === 'none') {
      checks.serviceSkipped = 'network: none, so nothing can reach the service';
      progress(`Service check of ${name} skipped: ${checks.serviceSkipped}`);
    } else if (!command) {
      checks.serviceSkipped = 'the image has no command to start';
      progress(`Service check of ${name} skipped: ${checks.serviceSkipped}`);
    } else {
      progress(`Starting ${name} for the service check`);
      const service = await runServiceCheck({
        engine,
        imageId,
        port: options.service.port,
        spec: options.service,
        network: options.network,
        ...(signal ? { signal } : {}),
        onProgress: progress,
      });
      checks.service = service;
      options.onService?.(service);
      const memory = service.peakMemoryBytes
        ? `, peak memory ${formatSize(service.peakMemoryBytes)}`
        : '';
      progress(
        `Service check of ${name} ${service.passed ? 'passed' : 'FAILED'}: ${service.message}${memory}`,
      );
      if (!service.passed) return { ...checks, passed: false, failure: service.message };
    }
  }
  return checks;
}
