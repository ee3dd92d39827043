// Typed wrappers over the Go "configio" service (系统设置 → 备份 → 配置导出/导入).
import { call } from './core'
import type { FilePayload } from './oaconfig'

const pkg = 'configio'

export interface ItemChange {
  key: string
  label: string
  op: 'add' | 'change' | 'keep'
}

export interface SectionChange {
  section: string
  added: number
  changed: number
  kept: number
  items: ItemChange[]
}

export interface ImportPreview {
  exportedAt: string
  appVersion: string
  secrets: 'omitted' | 'encrypted'
  secretsIncluded: boolean
  sections: SectionChange[]
}

export interface ImportResult {
  preview: ImportPreview
  restarting: boolean
}

export const configio = {
  /** With a passphrase (≥ 8 characters) the secrets are included, encrypted. */
  exportConfig: (passphrase: string) => call<FilePayload>(pkg, 'ExportConfig', passphrase),
  preview: (f: FilePayload, passphrase: string) => call<ImportPreview>(pkg, 'PreviewImport', f, passphrase),
  apply: (f: FilePayload, passphrase: string) => call<ImportResult>(pkg, 'ApplyImport', f, passphrase),
}
