// Typed wrappers over the Go "binding" service (backend/binding): who is
// who between WeLink and the OA — person card, auto-binding rules (one
// setting per corp, also shown on the sync screens), 关联导入 export/import,
// batch unbind with restorable snapshots, and the binding audit.
import { call } from './core'

const pkg = 'binding'

export type Method = 'manual' | 'rule' | 'import' | 'selfservice' | 'sync' | 'restore'

export interface Binding {
  corpId: string
  welinkUserId: string
  oaUserId: string
  oaLoginId?: string
  method: Method | string
  detail?: string
  by?: string
  at: string
}

export interface Rule {
  welinkField: string
  oaField: string
}

export interface BindingSettings {
  corpId: string
  autoBind: boolean
  rules: Rule[]
  selfService: boolean
  updatedAt?: string
  updatedBy?: string
}

export interface Overview {
  users: number
  bound: number
  oaUsers: number
  snapshots: number
  settings: BindingSettings
}

export interface WeLinkUser {
  corpId: string
  userId: string
  corpUserId?: string
  nameCn: string
  nameEn?: string
  mobile?: string
  email?: string
  employeeId?: string
  position?: string
  status?: string
  mainDept?: string
  depts?: string[]
}

export interface UserRow extends WeLinkUser {
  binding?: Binding
  oaName?: string
}

export interface UserQuery {
  corpId: string
  search: string
  status: '' | 'bound' | 'unbound'
  method: string
  offset: number
  limit: number
}

export interface OAUser {
  id: string
  loginId: string
  workCode?: string
  name: string
  mobile?: string
  email?: string
  departmentId?: string
  status: number
  left: boolean
}

export interface Card {
  user: WeLinkUser
  deptNames: string[]
  binding?: Binding
  oa?: OAUser
  oaDept?: string
  oaMissing?: boolean
}

export interface OACandidate extends OAUser {
  dept?: string
  boundTo?: string
}

export interface Outcome {
  welinkUserId: string
  name: string
  reason: 'bound' | 'none' | 'ambiguous' | 'already_bound' | 'oa_taken' | 'conflict'
  rule?: string
  value?: string
  oaUserId?: string
  oaLoginId?: string
  oaName?: string
  candidates?: string[]
  boundTo?: string
}

export interface AutoBindResult {
  bound: number
  none: number
  ambiguous: number
  alreadyBound: number
  taken: number
  conflict: number
  outcomes: Outcome[]
}

export interface AutoBindPreview {
  token: string
  rules: Rule[]
  oaUsers: number
  result: AutoBindResult
  shown: number
  examined: number
}

export interface RowProblem {
  row?: number
  welinkUserId: string
  reason: string
  detail?: string
}

export interface ApplyResult {
  planned: number
  applied: number
  unchanged: number
  stale: number
  notApplied: number
  canceled?: boolean
  error?: { code: string; params?: Record<string, string> }
  problems: RowProblem[]
}

export interface FileData {
  name: string
  contentBase64: string
}

export type MatchField = 'id' | 'loginId' | 'workCode' | 'mobile' | 'email'

export interface ImportRow {
  row: number
  welinkUserId: string
  value: string
  status: string
  oaUserId?: string
  oaLoginId?: string
  oaName?: string
  prevLogin?: string
  detail?: string
}

export interface ImportPreview {
  token: string
  file: string
  encoding?: string
  field: MatchField
  rows: number
  valid: number
  counts: Record<string, number>
  problems: ImportRow[]
  sample: ImportRow[]
}

export interface Snapshot {
  id: string
  corpId: string
  at: string
  by: string
  count: number
  complete: boolean
  restoredAt?: string
  restored?: number
  skipped?: number
}

export interface AuditEntry {
  id: string
  corpId: string
  at: string
  action: 'bind' | 'rebind' | 'unbind'
  method: string
  welinkUserId: string
  oaUserId?: string
  oaLoginId?: string
  prevOaUserId?: string
  prevOaLoginId?: string
  by?: string
  ip?: string
  detail?: string
}

export interface AuditQuery {
  corpId: string
  from: string
  to: string
  action: string
  method: string
  search: string
  offset: number
  limit: number
}

export interface Progress {
  job: string
  stage?: string
  done: number
  total: number
  running: boolean
  error?: string
}

export interface OARefresh {
  users: number
  departments: number
  leavers: number
  removed: number
}

export const binding = {
  overview: (corpId: string) => call<Overview>(pkg, 'Overview', corpId),
  listUsers: (q: UserQuery) => call<{ total: number; items: UserRow[] | null }>(pkg, 'ListUsers', q).then((p) => ({ total: p.total, items: p.items ?? [] })),
  getCard: (corpId: string, userId: string) => call<Card>(pkg, 'GetCard', corpId, userId),
  searchOAUsers: (corpId: string, query: string, limit = 20) =>
    call<OACandidate[] | null>(pkg, 'SearchOAUsers', corpId, query, limit).then((r) => r ?? []),
  bindUser: (corpId: string, userId: string, oaUserId: string) => call<Binding>(pkg, 'BindUser', corpId, userId, oaUserId),
  unbindUser: (corpId: string, userId: string) => call<Binding>(pkg, 'UnbindUser', corpId, userId),
  getSettings: (corpId: string) => call<BindingSettings>(pkg, 'GetSettings', corpId),
  saveSettings: (s: BindingSettings) => call<BindingSettings>(pkg, 'SaveSettings', s),
  fields: () => call<{ welink: string[]; oa: string[] }>(pkg, 'Fields'),
  previewAutoBind: (corpId: string) => call<AutoBindPreview>(pkg, 'PreviewAutoBind', corpId),
  applyAutoBind: (token: string) => call<ApplyResult>(pkg, 'ApplyAutoBind', token),
  exportUsers: (corpId: string) => call<FileData>(pkg, 'ExportUsers', corpId),
  previewImport: (req: { corpId: string; name: string; contentBase64: string; matchField: MatchField }) =>
    call<ImportPreview>(pkg, 'PreviewImport', req),
  importReport: (token: string, lang: string) => call<FileData>(pkg, 'ImportReport', token, lang),
  applyImport: (token: string) => call<ApplyResult>(pkg, 'ApplyImport', token),
  unbindAll: (corpId: string, confirm: string) => call<Snapshot>(pkg, 'UnbindAll', corpId, confirm),
  listSnapshots: (corpId: string) => call<Snapshot[] | null>(pkg, 'ListSnapshots', corpId).then((r) => r ?? []),
  restoreSnapshot: (id: string) => call<Snapshot>(pkg, 'RestoreSnapshot', id),
  listAudit: (q: AuditQuery) => call<{ total: number; items: AuditEntry[] | null }>(pkg, 'ListAudit', q).then((p) => ({ total: p.total, items: p.items ?? [] })),
  jobStatus: () => call<Progress>(pkg, 'JobStatus'),
  cancelJob: () => call<boolean>(pkg, 'CancelJob'),
  refreshOAUsers: () => call<OARefresh>(pkg, 'RefreshOAUsers'),
}
