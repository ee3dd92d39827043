// Typed wrappers over the Go "oaconfig" service (系统设置 → OA 连接).
import { call, type ErrorPayload } from './core'

const pkg = 'oaconfig'

export type OaKind = 'ecology9' | 'e10' | 'file'
export type AuthMode = 'none' | 'key' | 'ecdev'

/** Mirrors oa.Config. Durations are Go nanoseconds. Secrets are write-only: "" keeps the stored value. */
export interface OaConfig {
  kind: OaKind
  baseUrl: string
  mobileBaseUrl?: string
  auth: { mode: AuthMode; tokenKey?: string; appId?: string; userId?: string; corpId?: string; appKey?: string; appSecret?: string }
  pageSize?: number
  pageDelay?: number
  sso: { appId?: string; e10LoginUrl?: string; e10AuthType?: string }
  login: { rsa?: '' | 'on' | 'off' }
  oauth2: { clientId?: string; clientSecret?: string; userField?: string }
  e10: { orgTypes?: string[]; employeeStatuses?: string[]; tokenInBody?: boolean }
  file: { path: string }
}

export interface TestStep {
  name: string
  ok: boolean
  count: number
  total: number
  elapsedMs: number
  error?: ErrorPayload
}

export interface TestResult {
  at: string
  report?: { kind: string; ok: boolean; steps: TestStep[]; elapsedMs: number }
  error?: ErrorPayload
}

export interface OaView {
  configured: boolean
  demo: boolean
  config: OaConfig
  secrets: { tokenKey: boolean; appSecret: boolean; oauth2ClientSecret: boolean }
  lastTest?: TestResult
  snapshot: { users: number; departments: number; refreshedAt?: string }
  updatedAt: string
}

export interface SnapshotCounts {
  departments: number
  users: number
  leavers: number
  removed: number
}

export interface FilePayload {
  name: string
  contentBase64: string
}

export interface FileProblem {
  file: string
  sheet: string
  row: number
  column?: string
  code: string
  params?: Record<string, string>
  warning?: boolean
}

export interface FileCheck {
  ok: boolean
  users: number
  departments: number
  report?: { problems: FileProblem[] | null }
}

export const oaconfig = {
  get: () => call<OaView>(pkg, 'GetOA'),
  save: (cfg: OaConfig) => call<OaView>(pkg, 'SaveOA', cfg),
  test: () => call<TestResult>(pkg, 'TestOA'),
  refreshSnapshot: () => call<SnapshotCounts>(pkg, 'RefreshSnapshot'),
  template: () => call<FilePayload>(pkg, 'OrgTemplate'),
  checkFiles: (files: FilePayload[]) => call<FileCheck>(pkg, 'CheckOrgFiles', files),
  uploadFiles: (files: FilePayload[]) => call<OaView>(pkg, 'UploadOrgFiles', files),
}

export function emptyOaConfig(): OaConfig {
  return {
    kind: 'ecology9',
    baseUrl: '',
    mobileBaseUrl: '',
    auth: { mode: 'key', tokenKey: '', appId: '', userId: '', corpId: '', appKey: '', appSecret: '' },
    pageSize: 200,
    pageDelay: 300_000_000,
    sso: { appId: '', e10LoginUrl: '', e10AuthType: '' },
    login: { rsa: '' },
    oauth2: { clientId: '', clientSecret: '', userField: '' },
    e10: {},
    file: { path: '' },
  }
}
