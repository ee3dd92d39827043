// Typed wrappers over the Go "syncer" service (backend/syncer): org sync
// settings, runs with their stored plans, the local directory (云桥通讯录).
import { call } from './core'

const pkg = 'syncer'

export type Direction = 'welink' | 'oa'
export type Mode = 'readonly' | 'readwrite'

export interface Schedule {
  enabled: boolean
  kind: 'interval' | 'daily'
  minutes: number
  at: string
}

export interface FieldRule {
  oa: string
  welink: string
  match: boolean
  fill: boolean
}

export interface SyncSettings {
  corpId: string
  appId: string
  mode: Mode
  welink: { schedule: Schedule }
  oa: {
    topDeptCode: string
    createUsers: boolean
    includePartTime: boolean
    fieldMap: FieldRule[]
    scope: { depts: string[] | null; usersInclude: string[] | null; usersExclude: string[] | null }
    safety: { maxDropCount: number; maxDropPercent: number; quarantineCount: number; quarantinePercent: number }
    schedule: Schedule
  }
  updatedAt: string
}

export interface Counts {
  matched: number
  create: number
  update: number
  move: number
  delete: number
  bind: number
  review: number
  skip: number
  done: number
  failed: number
  pending: number
  deptCreate: number
  userCreate: number
}

export interface Reason {
  code: string
  params?: Record<string, string>
}

export interface PullCounts {
  depts: number
  users: number
  deptsAdded: number
  deptsChanged: number
  deptsRemoved: number
  usersAdded: number
  usersChanged: number
  usersRemoved: number
  autoBound: number
}

export type RunStatus =
  | 'running'
  | 'planned'
  | 'applying'
  | 'done'
  | 'quarantined'
  | 'failed'
  | 'cancelled'
  | 'interrupted'
  | 'superseded'

export interface Run {
  id: string
  corpId: string
  direction: Direction
  trigger: 'manual' | 'schedule' | 'preview' | 'chained'
  status: RunStatus
  startedAt: string
  plannedAt?: string
  endedAt?: string
  counts: Counts
  complete: boolean
  deletesHeld?: boolean
  warnings?: Reason[]
  error?: { code: string; params?: Record<string, string> }
  oaUsers?: number
  calls?: number
  top?: string
  stats?: PullCounts
}

export type ActionKind = 'match' | 'create' | 'update' | 'move' | 'delete' | 'bind' | 'review' | 'skip'

export interface Action {
  runId: string
  seq: number
  object: 'dept' | 'user'
  kind: ActionKind
  oaId?: string
  oaName?: string
  wlId?: string
  wlName?: string
  parent?: string
  level?: number
  path?: string
  changes?: string[]
  reason: Reason
  result: 'pending' | 'done' | 'failed' | 'held'
  error?: string
}

export interface Progress {
  runId: string
  corpId: string
  direction: Direction
  stage: string
  done: number
  total: number
  status: RunStatus
  counts: Counts
}

export interface ActionFilter {
  object?: '' | 'dept' | 'user'
  kind?: '' | ActionKind
  result?: string
  query?: string
  offset?: number
  limit?: number
}

export interface DeptNode {
  code: string
  parentCode: string
  name: string
  level: number
  order: number
  linked: boolean
  oaDeptId?: string
  users: number
}

export interface DirectoryInfo {
  readOnly: boolean
  depts: DeptNode[]
  users: number
  bound: number
}

export interface Person {
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
  deptNames: string[]
  binding?: { oaUserId: string; oaLoginId?: string; method: string; at: string; detail?: string }
}

export interface OADept {
  id: string
  parentId: string
  name: string
  type: string
  sealed: boolean
}

export interface OAPerson {
  id: string
  loginId: string
  name: string
  dept: string
  left: boolean
}

/** A department to create (no code) or change in 云桥通讯录 and WeLink. */
export interface DeptEdit {
  corpId: string
  code?: string
  parentCode: string
  name: string
  order?: number
}

/** A person to create (no userId) or change; the mobile is set at creation only. */
export interface UserEdit {
  corpId: string
  userId?: string
  nameCn: string
  nameEn?: string
  mobile?: string
  email?: string
  employeeId?: string
  position?: string
  depts: string[]
}

/** The shared auto-binding setting of backend/binding (one record, three screens). */
export interface BindingSettings {
  corpId: string
  autoBind: boolean
  rules: { welinkField: string; oaField: string }[]
  selfService: boolean
  [k: string]: unknown
}

export const sync = {
  getSettings: (corpId: string) => call<SyncSettings>(pkg, 'GetSettings', corpId),
  saveSettings: (s: SyncSettings) => call<SyncSettings>(pkg, 'SaveSettings', s),
  startFromWeLink: (corpId: string) => call<Progress>(pkg, 'StartFromWeLink', corpId),
  startFromOA: (corpId: string, preview: boolean, ignoreThreshold = false) =>
    call<Progress>(pkg, 'StartFromOA', corpId, preview, ignoreThreshold),
  apply: (runId: string, approveDeletes: boolean) => call<Progress>(pkg, 'Apply', runId, approveDeletes),
  cancel: (corpId: string, direction: Direction) => call<boolean>(pkg, 'Cancel', corpId, direction),
  active: (corpId: string) => call<Progress[]>(pkg, 'Active', corpId).then((r) => r ?? []),
  nextRuns: (corpId: string) => call<Partial<Record<Direction, string>>>(pkg, 'NextRuns', corpId).then((r) => r ?? {}),
  listRuns: (corpId: string, direction: '' | Direction, offset: number, limit: number) =>
    call<{ runs: Run[]; total: number }>(pkg, 'ListRuns', corpId, direction, offset, limit),
  getRun: (id: string) => call<Run>(pkg, 'GetRun', id),
  listActions: (runId: string, f: ActionFilter) =>
    call<{ actions: Action[]; total: number }>(pkg, 'ListActions', runId, {
      object: f.object ?? '',
      kind: f.kind ?? '',
      result: f.result ?? '',
      query: f.query ?? '',
      offset: f.offset ?? 0,
      limit: f.limit ?? 50,
    }),
  planTree: (runId: string) => call<Action[]>(pkg, 'PlanTree', runId).then((r) => r ?? []),
  exportRun: (runId: string) => call<{ name: string; data: string }>(pkg, 'ExportRun', runId),
  directoryTree: (corpId: string) => call<DirectoryInfo>(pkg, 'DirectoryTree', corpId),
  directoryUsers: (corpId: string, deptCode: string, query: string, offset: number, limit: number) =>
    call<{ users: Person[]; total: number }>(pkg, 'DirectoryUsers', corpId, deptCode, query, offset, limit),
  // Local org edits: WeLink first, the local directory only on success;
  // refused in read-only mode.
  createDept: (d: DeptEdit) => call<DeptNode>(pkg, 'CreateDept', d),
  updateDept: (d: DeptEdit) => call<DeptNode>(pkg, 'UpdateDept', d),
  deleteDept: (corpId: string, code: string) => call<void>(pkg, 'DeleteDept', corpId, code),
  createUser: (u: UserEdit) => call<Person>(pkg, 'CreateUser', u),
  updateUser: (u: UserEdit) => call<Person>(pkg, 'UpdateUser', u),
  deleteUser: (corpId: string, userId: string) => call<void>(pkg, 'DeleteUser', corpId, userId),
  oaDepartments: () => call<OADept[]>(pkg, 'OADepartments').then((r) => r ?? []),
  searchOAPeople: (query: string, ids: string[], limit = 20) =>
    call<OAPerson[]>(pkg, 'SearchOAPeople', query, ids, limit).then((r) => r ?? []),
  // The shared auto-binding switch lives in the binding service.
  getBindingSettings: (corpId: string) => call<BindingSettings>('binding', 'GetSettings', corpId),
  saveBindingSettings: (s: BindingSettings) => call<BindingSettings>('binding', 'SaveSettings', s),
}

/** Saves a base64 file (JSON []byte) as a download. */
export function downloadBase64(name: string, data: string): void {
  const bin = atob(data)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  const url = URL.createObjectURL(new Blob([bytes]))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
