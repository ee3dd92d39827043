// Typed wrappers over the Go "backup" service (系统设置 → 备份).
import { call, type ErrorPayload } from './core'

const pkg = 'backup'

export interface BackupInfo {
  name: string
  path: string
  size: number
  created: string
  schema: number
  appVersion: string
}

export interface BackupSettings {
  enabled: boolean
  /** "HH:MM", the server's local time. */
  time: string
  keep: number
}

export interface BackupOverview {
  dir: string
  backups: BackupInfo[]
  restoreCommand: string
  settings: BackupSettings
  /** The last failed backup (scheduled or not), until one succeeds. */
  lastError?: ErrorPayload
  lastErrorAt?: string
  /** Next scheduled backup; absent when scheduled backups are off. */
  nextRun?: string
}

export const backup = {
  list: () => call<BackupOverview>(pkg, 'ListBackups').then((o) => ({ ...o, backups: o.backups ?? [] })),
  backupNow: () => call<BackupInfo>(pkg, 'BackupNow'),
  getSettings: () => call<BackupSettings>(pkg, 'GetBackupSettings'),
  saveSettings: (s: BackupSettings) => call<BackupSettings>(pkg, 'SaveBackupSettings', s),
  remove: (name: string) => call<boolean>(pkg, 'DeleteBackup', name),
}

// Restore from the UI and master key rotation (applied by a restart).

export interface CollectionCount {
  name: string
  count: number
}

/** A verified backup, loaded beside the running store, waiting for confirmation. */
export interface RestorePreview {
  token: string
  source: string
  created: string
  appVersion: string
  schema: number
  size: number
  records: number
  counts: CollectionCount[]
  current: CollectionCount[]
  stagedAt: string
}

/** The outcome of the last restore or key rotation applied at start-up. */
export interface MaintenanceNotice {
  kind: 'restore' | 'rotate'
  ok: boolean
  at: string
  source?: string
  created?: string
  appVersion?: string
  kept?: string
  rolledBack?: boolean
  error?: ErrorPayload
}

export interface MaintenanceState {
  notice?: MaintenanceNotice
  restorePending?: RestorePreview
  rotationPending: boolean
  keyStorage: 'file' | 'keyring'
  /** exec (Linux/macOS), spawn (Windows), service (Windows service). */
  restartMode: string
  canRestart: boolean
  maxUpload: number
}

export interface Restarting {
  restarting: boolean
  mode: string
}

export const maintenance = {
  state: () => call<MaintenanceState>(pkg, 'GetMaintenance'),
  dismissNotice: () => call<boolean>(pkg, 'DismissNotice'),
  prepareRestore: (name: string) => call<RestorePreview>(pkg, 'PrepareRestore', name),
  prepareUpload: (f: { name: string; contentBase64: string }) => call<RestorePreview>(pkg, 'PrepareRestoreUpload', f),
  confirmRestore: (token: string) => call<Restarting>(pkg, 'ConfirmRestore', token),
  cancelRestore: () => call<boolean>(pkg, 'CancelRestore'),
  rotateKey: () => call<Restarting>(pkg, 'RotateMasterKey'),
}
