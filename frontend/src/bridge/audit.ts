// Typed wrappers over the Go "audit" service (系统设置 → 审计日志).
import { call } from './core'
import type { FilePayload } from './oaconfig'

const pkg = 'audit'

export interface AuditActor {
  /** "admin" (headless login), "desktop" (the OS user of the window) or "system". */
  kind: string
  /** "admin" or "user@host". */
  name: string
  addr?: string
  /** First 8 hex digits of the session token's SHA-256. */
  session?: string
}

export interface AuditEntry {
  id: string
  at: string
  actor: AuditActor
  /** "<pkg>.<Method>" or "auth.Login" etc.; its text is auditActions.<pkg>.<Method>. */
  action: string
  targets?: string[]
  /** Redacted arguments: an object {name: value}. */
  args?: unknown
  /** "ok" or the catalogue error code. */
  outcome: string
  errorParams?: Record<string, string>
  before?: unknown
  after?: unknown
  durationMs: number
}

export interface AuditQuery {
  /** RFC 3339; from inclusive, to exclusive. */
  from: string
  to: string
  actor: string
  /** "<pkg>.<Method>", or "<pkg>." for an area. */
  action: string
  /** "", "ok", "error" or one error code. */
  outcome: string
  before: string
  limit: number
}

export interface AuditPage {
  entries: AuditEntry[]
  next: string
}

export const emptyAuditQuery = (): AuditQuery => ({ from: '', to: '', actor: '', action: '', outcome: '', before: '', limit: 50 })

export const audit = {
  list: (q: AuditQuery) => call<AuditPage>(pkg, 'ListEntries', q).then((p) => ({ ...p, entries: p.entries ?? [] })),
  actions: () => call<string[]>(pkg, 'ListActions').then((a) => a ?? []),
  exportEntries: (q: AuditQuery, lang: string) => call<FilePayload>(pkg, 'ExportEntries', q, lang),
}
