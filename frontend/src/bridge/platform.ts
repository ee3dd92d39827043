// Typed wrappers over the Go "platform" service: start at login (系统设置 ›
// 常规) and the language the desktop tray menu speaks.
import { call, isDesktop } from './core'

const pkg = 'platform'

export interface Autostart {
  /** False in serve mode (a server uses `cloudbridge service install`). */
  supported: boolean
  enabled: boolean
  /** What runs at login: the stored command when enabled, else the one enabling would store. */
  command: string
  /** The autostart file (Linux) or registry value (Windows). */
  location: string
  /** The stored entry runs another binary or data directory than this process. */
  stale: boolean
  /** Closing the window hides it into the system tray (false: no tray host; closing asks whether to quit). */
  tray: boolean
}

export const platform = {
  getAutostart: () => call<Autostart>(pkg, 'GetAutostart'),
  setAutostart: (enabled: boolean) => call<Autostart>(pkg, 'SetAutostart', enabled),
  setLanguage: (lang: string) => call<void>(pkg, 'SetLanguage', lang),
}

/**
 * Tells the desktop window's tray menu the UI language. Only the window has
 * a tray; a failure (an older backend) must never disturb the UI.
 */
export async function syncTrayLanguage(lang: string): Promise<boolean> {
  if (!isDesktop()) return false
  try {
    await platform.setLanguage(lang)
    return true
  } catch {
    return false
  }
}
