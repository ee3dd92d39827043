// Formatting of the dashboard's app health: quota bars, permission
// summary, free disk space. Pure functions, tested in tests/unit/health.test.ts.
import type { ClassQuota, DiskSpace } from '@/bridge/dashboard'
import type { ProbeResult } from '@/bridge/tenant'

/** Share of a quota window from which a bar is red (the Go side's NearLimit). */
export const NEAR_LIMIT = 0.8

export type BarState = 'ok' | 'busy' | 'near'

/** ok below half the window, busy up to NEAR_LIMIT, near from there (red). */
export function quotaState(q: Pick<ClassQuota, 'ratio'>): BarState {
  if (q.ratio >= NEAR_LIMIT) return 'near'
  if (q.ratio >= 0.5) return 'busy'
  return 'ok'
}

export const barColor: Record<BarState, string> = { ok: '#18a058', busy: '#f0a020', near: '#d03050' }

/** Percentage for a progress bar, 0–100 with one decimal, never NaN. */
export function quotaPercent(q: Pick<ClassQuota, 'used' | 'limit'>): number {
  if (!q.limit || q.limit <= 0) return 0
  return Math.min(100, Math.round((q.used * 1000) / q.limit) / 10)
}

/** "1.2 s" / "340 ms" for the time calls waited for a quota window. */
export function waitedText(ms: number): string {
  if (ms >= 60_000) return `${Math.round(ms / 6000) / 10} min`
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`
  return `${ms} ms`
}

/** Binary units, as the Go side's store.HumanBytes. */
export function humanBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`
  if (n >= 2 ** 20) return `${Math.floor(n / 2 ** 20)} MiB`
  if (n >= 2 ** 10) return `${Math.floor(n / 2 ** 10)} KiB`
  return `${n} B`
}

export type DiskState = 'ok' | 'low' | 'full'

export function diskState(d: Pick<DiskSpace, 'low' | 'full'>): DiskState {
  return d.full ? 'full' : d.low ? 'low' : 'ok'
}

/** Used share of the file system, 0–100. */
export function diskUsedPercent(d: Pick<DiskSpace, 'free' | 'total'>): number {
  if (!d.total) return 0
  return Math.max(0, Math.min(100, Math.round(((d.total - d.free) * 1000) / d.total) / 10))
}

export interface PermSummary {
  granted: string[]
  missing: string[]
  unknown: string[]
}

/** Permission keys by status from a stored probe (empty when none or no token). */
export function permSummary(p?: ProbeResult): PermSummary {
  const out: PermSummary = { granted: [], missing: [], unknown: [] }
  for (const perm of p?.probe?.permissions ?? []) {
    if (perm.status === 'granted') out.granted.push(perm.key)
    else if (perm.status === 'denied') out.missing.push(perm.key)
    else out.unknown.push(perm.key)
  }
  return out
}
