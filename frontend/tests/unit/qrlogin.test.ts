// @vitest-environment jsdom
// 扫码登录 settings against a stubbed Go "sso" service (desktop transport).
import { describe, expect, it, vi } from 'vitest'
import { byTestId, flush, installServices, mountView, useViewEnv } from './helpers'
import QRLoginView from '@/views/qrlogin/QRLoginView.vue'
import { normQrView, type QrView } from '@/bridge/sso'

useViewEnv()


function view(over: Partial<QrView> = {}): QrView {
  return {
    enabled: false,
    appIds: [],
    options: [{ appId: 'a1', appName: 'OA 单点', clientId: 'x', corpId: 'c1', corpName: '演示企业' }],
    hasWeLink: true,
    missing: [],
    publicBaseUrl: 'https://cb.example.com',
    snippet: {
      script: '<script src="https://cb.example.com/qr/login.js" defer></script>',
      iframe: '<iframe src="https://cb.example.com/qr/frame"></iframe>',
      frameUrl: 'https://cb.example.com/qr/frame',
    },
    oaOrigins: ['http://oa.example.com'],
    ...over,
  }
}

describe('QRLoginView', () => {
  it('says 请先添加welink while no corp or app exists', async () => {
    installServices({ sso: { QRSettings: async () => view({ hasWeLink: false, options: [] }) } })
    await mountView(QRLoginView)
    await flush()
    expect(byTestId('qr-no-welink')?.textContent).toContain('请先添加welink')
    expect(byTestId('qr-save')).toBeNull()
  })

  it('shows the snippet and the allowed OA addresses, and saves on/off with the apps', async () => {
    const save = vi.fn(async (input: { enabled: boolean; appIds: string[] }) => view({ enabled: input.enabled, appIds: input.appIds }))
    installServices({ sso: { QRSettings: async () => view({ appIds: ['a1'] }), SaveQRSettings: save } })
    await mountView(QRLoginView)
    await flush()
    expect(byTestId('qr-snippet-script-value')?.textContent).toContain('/qr/login.js')
    expect(byTestId('qr-origin')?.textContent).toBe('http://oa.example.com')
    const saveBtn = byTestId('qr-save') as HTMLButtonElement
    expect(saveBtn.disabled).toBe(true) // nothing changed yet
    ;(byTestId('qr-enabled') as HTMLElement).click()
    await flush()
    expect(saveBtn.disabled).toBe(false)
    saveBtn.click()
    await flush()
    expect(save).toHaveBeenCalledWith({ enabled: true, appIds: ['a1'] })
    expect(byTestId('qr-status')?.textContent).toContain('已开启')
  })

  it('warns when the public address is not set and shows the Go error on save', async () => {
    installServices({
      sso: {
        QRSettings: async () => view({ publicBaseUrl: '', snippet: { script: '', iframe: '', frameUrl: '' }, oaOrigins: [] }),
        SaveQRSettings: async () => {
          throw { code: 'sso.qr_app_required' }
        },
      },
    })
    await mountView(QRLoginView)
    await flush()
    expect(byTestId('qr-no-public-url')).not.toBeNull()
    ;(byTestId('qr-enabled') as HTMLElement).click()
    await flush()
    ;(byTestId('qr-save') as HTMLButtonElement).click()
    await flush()
    expect(byTestId('qr-save-error')?.textContent).toContain('至少选择一个集成的应用')
  })

  it('fills arrays the Go side sends as null', () => {
    const v = normQrView({ ...view(), appIds: null, options: null, missing: null, oaOrigins: null } as unknown as QrView)
    expect(v.appIds).toEqual([])
    expect(v.options).toEqual([])
    expect(v.oaOrigins).toEqual([])
  })
})
