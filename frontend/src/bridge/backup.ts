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
