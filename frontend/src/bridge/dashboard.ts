// Typed wrappers over the Go "dashboard" service (总览: per-corp health,
// sync state, bound ratio, 24 h push figures).
import { call } from './core'
import type { ErrorPayload } from './core'
import type { LastVerify, ProbeResult } from './tenant'
import type { Figures } from './relay'
import type { Direction, Run } from './sync'
import type { Diagnostics } from './system'

const pkg = 'dashboard'

export interface AppHealth {
  id: string
  name: string
  clientId: string
  /** Absent: never verified. */
  lastVerify?: LastVerify
  /** The newer of the verify and the probe verdicts; absent: never checked. */
  token?: TokenState
  /** Absent: never probed. */
  lastProbe?: ProbeResult
  /** One line per endpoint class the app called since the WeLink client started. */
  quota: ClassQuota[]
}

export interface TokenState {
  at: string
  ok: boolean
  error?: ErrorPayload
  source: 'verify' | 'probe'
}

export type EndpointClass = 'auth' | 'contacts' | 'todo' | 'message' | 'other'

/**
 * The busiest API of a class in the minute window (WeLink counts per API;
 * the client paces bursts at the per-second limit on purpose, so the
 * second is shown beside the bar, not as the bar).
 */
export interface ClassQuota {
  class: EndpointClass
  api: string
  window: 'minute'
  used: number
  limit: number
  ratio: number
  /** ratio ≥ 0.8: drawn red. */
  near: boolean
  /** Most calls of one API of the class in the last second, and its limit. */
  second: number
  perSecond: number
  calls: number
  waits: number
  waitedMs: number
  refused: number
  pausedUntil?: string
}

export interface DiskSpace {
  dir: string
  free: number
  total: number
  /** Writes are refused below this. */
  minFree: number
  /** Warning threshold. */
  warn: number
  low: boolean
  full: boolean
}

export interface SyncState {
  last?: Run
  /** Next scheduled run; absent when not scheduled. */
  next?: string
}

export interface CorpHealth {
  id: string
  name: string
  apps: AppHealth[]
  sync: Partial<Record<Direction, SyncState>>
  /** Users in the local WeLink directory. */
  users: number
  bound: number
}

export interface Health {
  corps: CorpHealth[]
  /** Corps an interrupted delete left marked (no card; they take no new data). */
  deleting: { id: string; name: string }[]
  push: Figures
  /** Absent when the free space cannot be read. */
  disk?: DiskSpace
  quotaIp?: { used: number; limit: number; windowSeconds: number }
  quotaDisabled?: boolean
  at: string
}

export type PublicCheck = Diagnostics['publicCheck']

export const dashboard = {
  health: () =>
    call<Health>(pkg, 'Health').then((h) => ({
      ...h,
      deleting: h.deleting ?? [],
      corps: (h.corps ?? []).map((c) => ({ ...c, apps: (c.apps ?? []).map((a) => ({ ...a, quota: a.quota ?? [] })) })),
      push: { ...h.push, hours: h.push?.hours ?? [], status: h.push?.status ?? {} },
    })),
  /** Only the diagnostics' public URL check (a button, not on every load). */
  checkPublic: () => call<PublicCheck>('system', 'CheckPublic'),
}
