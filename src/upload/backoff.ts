// The server back-off: one instance for the server as a whole (the agent holds it),
// not a retry loop per request. Pure arithmetic over a clock the caller passes in, so
// growth, cap, jitter and Retry-After are tested without sleeping.

export interface Backoff {
  /**
   * Report a transient failure that happened at `nowMs`; returns the epoch ms until
   * which uploads should wait. `retryAfterMs` is what the server asked for, if it did.
   */
  failure(nowMs: number, retryAfterMs?: number): number;
  /** The server answered: forget the failures. */
  success(): void;
  /** Epoch ms until which uploads wait: 0 after success(), compare with the clock otherwise. */
  blockedUntil(): number;
  /** Transient failures reported since the last success. */
  readonly consecutiveFailures: number;
}

export interface BackoffOptions {
  /** First step (SFM_RETRY_BASE_SECONDS in ms). */
  readonly baseMs: number;
  /** Ceiling of the exponential steps (SFM_RETRY_MAX_SECONDS in ms). */
  readonly maxMs: number;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  readonly random?: () => number;
}

/**
 * A server's Retry-After is obeyed beyond maxMs, up to this much (or maxMs if larger):
 * an operator who says "come back in 20 minutes" means it, one who says "in a week"
 * is more likely misconfigured than serious.
 */
export const retryAfterCeilingMs = 60 * 60 * 1000;

/** 2^52 already dwarfs any ceiling; stops the exponent from reaching Infinity. */
const maxExponent = 52;

export function createBackoff(options: BackoffOptions): Backoff {
  const { baseMs, maxMs } = options;
  if (!(Number.isFinite(baseMs) && baseMs > 0)) {
    throw new RangeError(`backoff baseMs must be a positive number of milliseconds, got ${baseMs}`);
  }
  if (!(Number.isFinite(maxMs) && maxMs >= baseMs)) {
    throw new RangeError(`backoff maxMs must be at least baseMs (${baseMs}), got ${maxMs}`);
  }
  const random = options.random ?? Math.random;
  const ceilingMs = Math.max(maxMs, retryAfterCeilingMs);

  let failures = 0;
  // Steps taken in this outage. With several uploads in flight, one outage makes
  // them all fail at once; those failures land while already blocked and must not
  // each double the wait, so only a failure after the block ends takes a new step.
  let steps = 0;
  let until = 0;

  return {
    failure(nowMs: number, retryAfterMs?: number): number {
      failures += 1;
      let delayMs = 0;
      if (nowMs >= until) {
        steps += 1;
        const exponentialMs = Math.min(maxMs, baseMs * 2 ** Math.min(steps - 1, maxExponent));
        // "Equal jitter": half fixed, half random, so agents that lost the server at
        // the same moment spread out, yet the wait never collapses to nothing.
        const jitter = Math.min(Math.max(random(), 0), 1);
        delayMs = exponentialMs / 2 + (jitter * exponentialMs) / 2;
      }
      if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0) {
        delayMs = Math.max(delayMs, Math.min(retryAfterMs, ceilingMs));
      }
      until = Math.max(until, Math.round(nowMs + delayMs));
      return until;
    },
    success(): void {
      failures = 0;
      steps = 0;
      until = 0;
    },
    blockedUntil(): number {
      return until;
    },
    get consecutiveFailures(): number {
      return failures;
    },
  };
}
