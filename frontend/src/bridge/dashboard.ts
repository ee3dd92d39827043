// Typed wrappers over the Go "dashboard" service (总览: per-corp health,
// sync state, bound ratio, 24 h push figures).
import { call } from './core'
import type { LastVerify } from './tenant'
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
  push: Figures
  at: string
}

export type PublicCheck = Diagnostics['publicCheck']

export const dashboard = {
  health: () =>
    call<Health>(pkg, 'Health').then((h) => ({ ...h, corps: h.corps ?? [], push: { ...h.push, hours: h.push?.hours ?? [], status: h.push?.status ?? {} } })),
  /** Only the diagnostics' public URL check (a button, not on every load). */
  checkPublic: () => call<PublicCheck>('system', 'CheckPublic'),
}
