import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Tests that need real parts (Docker, Chromium, the realistic fixtures) skip with a printed reason where
 * those are missing, and fail instead when CONDENSE_REQUIRE_DOCKER=1 (set by .ci/run) so CI runs everything.
 */
export const requireAll = process.env.CONDENSE_REQUIRE_DOCKER === '1';

export interface Requirement {
  ok: boolean;
  reason: string;
}

const announced = new Set<string>();

/** Returns true when the test may run; logs the skip reason once, or throws under CONDENSE_REQUIRE_DOCKER. */
export function available(what: string, requirement: Requirement): boolean {
  if (requirement.ok) return true;
  const message = `${what} unavailable: ${requirement.reason}`;
  if (requireAll) throw new Error(`${message} (CONDENSE_REQUIRE_DOCKER=1 makes this a failure)`);
  if (!announced.has(message)) {
    announced.add(message);
    console.warn(`[skip] ${message}`);
  }
  return false;
}

export function dockerHost(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

export function dockerRequirement(): Requirement {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      stdio: 'pipe',
      timeout: 10_000,
      env: { ...process.env, DOCKER_HOST: dockerHost() },
    });
    return { ok: true, reason: '' };
  } catch {
    return {
      ok: false,
      reason: `no Docker engine answers at ${dockerHost()} (start one: scripts/ci/dockerd.sh start)`,
    };
  }
}

export const CHROMIUM_PATH = process.env.CONDENSE_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumRequirement(): Requirement {
  return existsSync(CHROMIUM_PATH)
    ? { ok: true, reason: '' }
    : { ok: false, reason: `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)` };
}

/** Chromium flags for this offline machine: no background traffic, no DNS outside 127.0.0.1. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];
