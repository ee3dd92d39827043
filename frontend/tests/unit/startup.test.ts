// @vitest-environment jsdom
// 系统设置 › 常规 › 开机与后台运行 against a stubbed Go platform service, and
// the tray-language hook.
import { describe, expect, it, vi } from 'vitest'
import { byTestId, flush, installServices, mountView, uninstallServices, useViewEnv } from './helpers'
import StartupCard from '@/views/system/StartupCard.vue'
import { syncTrayLanguage, type Autostart } from '@/bridge/platform'

useViewEnv()

const off: Autostart = {
  supported: true,
  enabled: false,
  stale: false,
  command: '/opt/cloudbridge/cloudbridge --data /home/oa/.local/share/cloudbridge --hidden',
  location: '/home/oa/.config/autostart/cloudbridge.desktop',
  tray: true,
}

describe('StartupCard', () => {
  it('turns start at login on and off through the platform service', async () => {
    let cur = { ...off }
    const set = vi.fn(async (on: boolean) => (cur = { ...cur, enabled: on }))
    installServices({ platform: { GetAutostart: async () => cur, SetAutostart: set } })
    await mountView(StartupCard)
    await flush()
    expect(byTestId('autostart-command')?.textContent).toBe(off.command)
    expect(byTestId('startup-tray')?.textContent).toContain('系统托盘')
    const sw = byTestId('autostart-switch')!
    expect(sw.getAttribute('aria-checked')).toBe('false')
    sw.click()
    await flush()
    expect(set).toHaveBeenCalledWith(true)
    expect(byTestId('autostart-switch')!.getAttribute('aria-checked')).toBe('true')
    byTestId('autostart-switch')!.click()
    await flush()
    expect(set).toHaveBeenLastCalledWith(false)
  })

  it('shows a stale entry as off with a warning, so switching on rewrites it', async () => {
    const set = vi.fn(async () => ({ ...off, enabled: true }))
    installServices({ platform: { GetAutostart: async () => ({ ...off, enabled: true, stale: true, command: '/old/cloudbridge --data /old' }), SetAutostart: set } })
    await mountView(StartupCard)
    await flush()
    expect(byTestId('autostart-stale')).not.toBeNull()
    expect(byTestId('autostart-switch')!.getAttribute('aria-checked')).toBe('false')
    byTestId('autostart-switch')!.click()
    await flush()
    expect(set).toHaveBeenCalledWith(true)
    expect(byTestId('autostart-stale')).toBeNull()
  })

  it('says closing asks to quit when there is no tray', async () => {
    installServices({ platform: { GetAutostart: async () => ({ ...off, tray: false }) } })
    await mountView(StartupCard)
    await flush()
    expect(byTestId('startup-tray')?.textContent).toContain('询问是否退出')
  })

  it('points a server at the system service instead of a switch', async () => {
    installServices({ platform: { GetAutostart: async () => ({ ...off, supported: false }) } })
    await mountView(StartupCard)
    await flush()
    expect(byTestId('autostart-switch')).toBeNull()
    expect(byTestId('autostart-unsupported')?.textContent).toContain('cloudbridge service install')
  })

  it('shows a refused change as a translated error', async () => {
    installServices({
      platform: {
        GetAutostart: async () => off,
        SetAutostart: async () => Promise.reject({ code: 'platform.autostart_failed', params: { message: 'permission denied' } }),
      },
    })
    await mountView(StartupCard)
    await flush()
    byTestId('autostart-switch')!.click()
    await flush()
    expect(byTestId('autostart-error')?.textContent).toBe('无法更改开机自启动：permission denied')
    expect(byTestId('autostart-switch')!.getAttribute('aria-checked')).toBe('false')
  })
})

describe('syncTrayLanguage', () => {
  it('tells the desktop window the UI language and never throws', async () => {
    const setLanguage = vi.fn(async () => undefined)
    installServices({ platform: { SetLanguage: setLanguage } })
    expect(await syncTrayLanguage('en-US')).toBe(true)
    expect(setLanguage).toHaveBeenCalledWith('en-US')
    installServices({ platform: {} })
    expect(await syncTrayLanguage('zh-CN')).toBe(false)
  })

  it('does nothing in a browser (serve mode has no tray)', async () => {
    uninstallServices()
    expect(await syncTrayLanguage('en-US')).toBe(false)
  })
})
