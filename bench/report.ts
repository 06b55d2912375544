// What a benchmark hands back (one line per target plus raw figures), how a line is printed,
// and the small measuring tools every benchmark shares: a clock, /proc counters, progress notes.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface TargetResult {
  /** Stable key for scripts, e.g. `idle.pass`. */
  readonly id: string;
  /** What was measured, in words. */
  readonly label: string;
  readonly measured: number;
  readonly unit: string;
  /** null when the target is absolute and no baseline makes sense. */
  readonly baseline: number | null;
  readonly baselineLabel: string;
  /** measured / baseline (null without a baseline). */
  readonly ratio: number | null;
  /** The target in words, e.g. `≤ 3× baseline`. */
  readonly target: string;
  readonly pass: boolean;
}

export interface BenchOutcome {
  readonly name: string;
  readonly seconds: number;
  readonly targets: readonly TargetResult[];
  /** Every raw figure the benchmark took, for the JSON line. */
  readonly figures: Readonly<Record<string, unknown>>;
}

export type Benchmark = () => Promise<Omit<BenchOutcome, 'seconds' | 'name'>>;

export const nowMs = (): number => performance.now();

/** Runs fn and returns its result with the wall time it took, in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Progress on stderr, so stdout stays the result lines, the summary and the JSON line. */
export function note(bench: string, message: string): void {
  process.stderr.write(`  [${bench}] ${message}\n`);
}

/** Bytes this process asked the kernel to read (read/pread/readv, all threads), from /proc/self/io. */
export function readCharsSoFar(): number | null {
  try {
    const match = /^rchar:\s*(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Peak resident set of a process, in MB (VmHWM), or null when it is gone or /proc is missing. */
export function peakRssMb(pid: number | 'self'): number | null {
  try {
    const match = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function fmt(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${unit}`;
}

export function targetLine(t: TargetResult): string {
  const baseline = t.baseline === null ? `baseline ${t.baselineLabel}` : `baseline ${fmt(t.baseline, t.unit)} (${t.baselineLabel})`;
  const ratio = t.ratio === null ? 'ratio -' : `ratio ${t.ratio >= 0.1 ? t.ratio.toFixed(2) : t.ratio.toPrecision(2)}×`;
  return `${t.pass ? 'PASS' : 'FAIL'}  ${t.id.padEnd(18)} ${t.label}: ${fmt(t.measured, t.unit)} | ${baseline} | ${ratio} | target ${t.target}`;
}

/** A target line from a measured figure and a baseline; `passes` decides from both. */
export function target(fields: {
  id: string;
  label: string;
  measured: number;
  unit: string;
  baseline: number | null;
  baselineLabel: string;
  target: string;
  passes: (measured: number, ratio: number | null) => boolean;
}): TargetResult {
  const ratio = fields.baseline === null || fields.baseline === 0 ? null : fields.measured / fields.baseline;
  return {
    id: fields.id,
    label: fields.label,
    measured: round(fields.measured, 2),
    unit: fields.unit,
    baseline: fields.baseline === null ? null : round(fields.baseline, 2),
    baselineLabel: fields.baselineLabel,
    ratio: ratio === null ? null : round(ratio, 3),
    target: fields.target,
    pass: fields.passes(fields.measured, ratio),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function best(values: readonly number[]): number {
  return Math.min(...values);
}
