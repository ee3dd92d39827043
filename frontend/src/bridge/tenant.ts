// Typed wrappers over the Go "tenant" service (backend/tenant).
import { call, type ErrorPayload } from './core'

const pkg = 'tenant'

export interface Corp {
  id: string
  name: string
  appCount: number
  /** Marked by a cascading delete that has not finished (interrupted): the
   * corp takes no new data, and deleting it again resumes the delete. */
  deleting?: boolean
  createdAt: string
  updatedAt: string
}

export type UseKind = 'app' | 'push_rule' | 'sync_settings' | 'qr_login' | 'binding'

export interface CorpUsage {
  corpId: string
  name: string
  apps: { id: string; name: string }[]
  uses: { kind: UseKind | string; id: string; name: string }[]
  /** Pass to DeleteCorp to cascade exactly what this usage lists. */
  token: string
}

export interface Homepage {
  kind: 'entry' | 'custom'
  /** Key of an OA entry point (Settings.oaEntries); may be absent when empty. */
  entry: string
  customUrl: string
}

/** A homepage with every field present ("" for the ones the Go side omitted). */
export function normHomepage(h: Partial<Homepage> | null | undefined): Homepage {
  return { kind: h?.kind === 'custom' ? 'custom' : 'entry', entry: h?.entry ?? '', customUrl: h?.customUrl ?? '' }
}

export interface VerifyResult {
  ok: boolean
  expiresIn?: number
  elapsedMs: number
  error?: ErrorPayload
}

export interface LastVerify extends VerifyResult {
  at: string
}

export interface App {
  id: string
  corpId: string
  name: string
  clientId: string
  /** The secret itself never leaves the Go side. */
  secretSet: boolean
  secretUpdatedAt: string
  homepage: Homepage
  /** "" when the public base URL is not set. */
  homepageUrls: { mobile: string; pc: string }
  lastVerify?: LastVerify
  /** The last permission probe (admin's button or the 6-hourly check). */
  lastProbe?: ProbeResult
  createdAt: string
  updatedAt: string
}

export interface AppInput {
  /** "" creates a new app. */
  id: string
  corpId: string
  name: string
  clientId: string
  /** "" on edit keeps the stored secret. Write-only: never prefilled. */
  clientSecret: string
  homepage: Homepage
}

export type PermissionKey = 'auth' | 'contacts_read' | 'contacts_sync' | 'todo' | 'message'
export type PermissionStatus = 'granted' | 'denied' | 'unknown'

export interface Probe {
  permissions: { key: PermissionKey; status: PermissionStatus; code?: string; endpoint: string }[]
  scope?: { allStaff: boolean; deptCount: number; userCount: number }
  scopeError?: ErrorPayload
  /** i18n keys under "probe.warnings.*". */
  warnings: string[]
}

/** A probe kept on the app: the token outcome, and the probe when a token was had. */
export interface ProbeResult {
  at: string
  by: 'admin' | 'schedule'
  tokenOk: boolean
  error?: ErrorPayload
  probe?: Probe
}

export const tenant = {
  listCorps: () => call<Corp[]>(pkg, 'ListCorps').then((r) => r ?? []),
  createCorp: (name: string) => call<Corp>(pkg, 'CreateCorp', name),
  renameCorp: (id: string, name: string) => call<Corp>(pkg, 'RenameCorp', id, name),
  corpUsage: (id: string) => call<CorpUsage>(pkg, 'CorpUsage', id),
  deleteCorp: (id: string, confirmToken = '') => call<void>(pkg, 'DeleteCorp', id, confirmToken),
  listApps: (corpId: string) => call<App[]>(pkg, 'ListApps', corpId).then((r) => r ?? []),
  getApp: (id: string) => call<App>(pkg, 'GetApp', id),
  saveApp: (input: AppInput) => call<App>(pkg, 'SaveApp', input),
  deleteApp: (id: string) => call<void>(pkg, 'DeleteApp', id),
  verifyApp: (id: string) => call<VerifyResult>(pkg, 'VerifyApp', id),
  probeApp: (id: string) => call<Probe>(pkg, 'ProbeApp', id),
}

/** One line of what a cascading corp delete removes. */
export interface UsageItem {
  kind: string
  id: string
  name: string
}

/**
 * Everything a cascading delete of the corp removes: the "uses" list plus
 * any app the Go side listed only under "apps". Apps first, then the rest
 * in the order given.
 */
export function usageItems(usage: CorpUsage): UsageItem[] {
  const uses = usage.uses ?? []
  const seen = new Set(uses.filter((u) => u.kind === 'app').map((u) => u.id))
  const apps: UsageItem[] = [
    ...uses.filter((u) => u.kind === 'app'),
    ...(usage.apps ?? []).filter((a) => !seen.has(a.id)).map((a) => ({ kind: 'app', id: a.id, name: a.name })),
  ]
  return [...apps, ...uses.filter((u) => u.kind !== 'app')]
}

/** Features of the product each WeLink permission enables (seed §2.2). */
export const permissionFeatures: Record<PermissionKey, string[]> = {
  auth: ['sso', 'qrlogin'],
  contacts_read: ['syncFromWelink'],
  contacts_sync: ['syncFromOa'],
  todo: ['todoPush'],
  message: ['noticePush', 'cardPush'],
}
