// Typed wrappers over the Go "system" service (settings, listener, diagnostics, logs).
import { call, type ErrorPayload } from './core'

const pkg = 'system'

export interface OaEntry {
  key: string
  name: string
  url: string
}

export interface Settings {
  /** e.g. "0.0.0.0:8899" */
  publicListen: string
  publicBaseUrl: string
  tlsCertFile: string
  tlsKeyFile: string
  welinkBaseUrl: string
  oaEntries: OaEntry[]
  /** The WeLink API base actually used (the emulator's in demo mode). */
  effectiveWelinkBaseUrl?: string
  keyStorage: 'keyring' | 'file'
  keyFile: string
  dataDir: string
  demo: boolean
  version: string
}

export interface SettingsInput {
  publicListen: string
  publicBaseUrl: string
  tlsCertFile: string
  tlsKeyFile: string
  welinkBaseUrl: string
  oaEntries: OaEntry[]
}

export interface ListenerStatus {
  running: boolean
  addr: string
  tls: boolean
  error?: ErrorPayload
}

export type StepName = 'dns' | 'tcp' | 'tls' | 'http'

export interface DiagnosticStep {
  name: StepName
  ok: boolean
  elapsedMs: number
  detail: string
  error?: ErrorPayload
}

export interface Diagnostics {
  target: string
  steps: DiagnosticStep[]
  verdict: 'ok' | StepName
  publicCheck: { url: string; ok: boolean; elapsedMs: number; error?: ErrorPayload }
}

export interface LogQuery {
  /** "" = all levels; otherwise the minimum level: debug, info, warn, error. */
  level: string
  text: string
  limit: number
}

export interface LogEntry {
  time: string
  level: string
  msg: string
  attrs: Record<string, string>
}

export interface Overview {
  corps: number
  apps: number
  appsVerified: number
  appsFailing: number
  listener: { running: boolean; addr: string; tls: boolean }
  publicBaseUrl: string
  demo?: boolean
}

export const system = {
  getSettings: () => call<Settings>(pkg, 'GetSettings'),
  saveSettings: (input: SettingsInput) => call<Settings>(pkg, 'SaveSettings', input),
  listenerStatus: () => call<ListenerStatus>(pkg, 'ListenerStatus'),
  runDiagnostics: () => call<Diagnostics>(pkg, 'RunDiagnostics'),
  logs: (query: LogQuery) => call<LogEntry[]>(pkg, 'Logs', query).then((r) => r ?? []),
  overview: () => call<Overview>(pkg, 'Overview'),
}

/** The editable part of the settings, as SaveSettings takes it. */
export function settingsInput(s: Settings): SettingsInput {
  return {
    publicListen: s.publicListen,
    publicBaseUrl: s.publicBaseUrl,
    tlsCertFile: s.tlsCertFile,
    tlsKeyFile: s.tlsKeyFile,
    welinkBaseUrl: s.welinkBaseUrl,
    oaEntries: (s.oaEntries ?? []).map((e) => ({ key: e.key, name: e.name, url: e.url })),
  }
}
