// Typed wrappers over the Go "sso" service (backend/sso): the 扫码登录
// settings. The public pages (homepage SSO, binding page, QR frame) are
// served by the public listener, not through this bridge.
import { call } from './core'

const pkg = 'sso'

export interface QrAppOption {
  appId: string
  appName: string
  clientId: string
  corpId: string
  corpName: string
}

export interface QrSnippet {
  /** Recommended: one script tag (a "扫码登录" button at the top right, or #cloudbridge-qr if present). */
  script: string
  /** For login pages that allow no script: a plain iframe. */
  iframe: string
  frameUrl: string
}

export interface QrView {
  enabled: boolean
  appIds: string[]
  updatedAt?: string
  options: QrAppOption[]
  /** false while no corp with an app exists: "请先添加welink". */
  hasWeLink: boolean
  /** Stored apps that were deleted since (ignored). */
  missing: string[]
  /** "" until set in 系统设置; the snippet needs it. */
  publicBaseUrl: string
  snippet: QrSnippet
  /** OA addresses allowed to show the QR. */
  oaOrigins: string[]
}

export interface QrInput {
  enabled: boolean
  appIds: string[]
}

/** Fills the arrays the Go side may send as null. */
export function normQrView(v: QrView): QrView {
  return {
    ...v,
    appIds: v.appIds ?? [],
    options: v.options ?? [],
    missing: v.missing ?? [],
    oaOrigins: v.oaOrigins ?? [],
    snippet: v.snippet ?? { script: '', iframe: '', frameUrl: '' },
  }
}

export const sso = {
  qrSettings: async () => normQrView(await call<QrView>(pkg, 'QRSettings')),
  saveQrSettings: async (input: QrInput) => normQrView(await call<QrView>(pkg, 'SaveQRSettings', input)),
}
