import { describe, expect, it } from 'vitest'
import { permissionFeatures, usageItems, type CorpUsage } from '@/bridge/tenant'
import { settingsInput, type Settings } from '@/bridge/system'
import zhCN from '@/locales/zh-CN'
import { formatTime, isHttpUrl } from '@/utils/format'

const usage = (u: Partial<CorpUsage>): CorpUsage => ({ corpId: 'c1', name: '演示企业', apps: [], uses: [], token: 't', ...u })

describe('usageItems (what a cascading corp delete removes)', () => {
  it('is empty for an unused corp', () => {
    expect(usageItems(usage({}))).toEqual([])
  })

  it('lists apps first without duplicates, then the other uses in order', () => {
    const items = usageItems(
      usage({
        apps: [
          { id: 'a1', name: 'OA 办公' },
          { id: 'a2', name: '待办' },
        ],
        uses: [
          { kind: 'push_rule', id: 'r1', name: '待办推送' },
          { kind: 'app', id: 'a1', name: 'OA 办公' },
          { kind: 'sync_settings', id: 's', name: '从 OA 同步' },
        ],
      }),
    )
    expect(items.map((i) => `${i.kind}:${i.id}`)).toEqual(['app:a1', 'app:a2', 'push_rule:r1', 'sync_settings:s'])
  })

  it('copes with null lists from the Go side', () => {
    expect(usageItems({ corpId: 'c', name: 'n', apps: null, uses: null, token: '' } as unknown as CorpUsage)).toEqual([])
  })
})

describe('permission → feature map (seed §2.2)', () => {
  it('covers every permission the probe reports, with a label for each feature', () => {
    expect(Object.keys(permissionFeatures).sort()).toEqual(['auth', 'contacts_read', 'contacts_sync', 'message', 'todo'])
    for (const feats of Object.values(permissionFeatures)) {
      expect(feats.length).toBeGreaterThan(0)
      for (const f of feats) expect(zhCN.app.feature).toHaveProperty(f)
    }
    expect(permissionFeatures.auth).toEqual(['sso', 'qrlogin'])
  })
})

describe('settingsInput', () => {
  it('keeps only the fields SaveSettings takes', () => {
    const s: Settings = {
      publicListen: '0.0.0.0:8899',
      publicBaseUrl: 'https://bridge.example.com',
      tlsCertFile: '',
      tlsKeyFile: '',
      welinkBaseUrl: 'https://open.welink.huaweicloud.com/api',
      oaEntries: [{ key: 'home', name: 'OA 首页', url: 'https://oa.example.com' }],
      keyStorage: 'file',
      keyFile: '/data/key',
      dataDir: '/data',
      demo: true,
      version: '1.0.0',
    }
    expect(Object.keys(settingsInput(s)).sort()).toEqual(['oaEntries', 'publicBaseUrl', 'publicListen', 'tlsCertFile', 'tlsKeyFile', 'welinkBaseUrl'])
    expect(settingsInput({ ...s, oaEntries: null as unknown as [] }).oaEntries).toEqual([])
  })
})

describe('format helpers', () => {
  it('formats RFC3339 times and blanks Go zero times', () => {
    expect(formatTime('0001-01-01T00:00:00Z', 'zh-CN')).toBe('')
    expect(formatTime('', 'en-US')).toBe('')
    expect(formatTime('2025-07-15T08:09:10Z', 'en-US')).toMatch(/07\/15\/2025|2025/)
  })
  it('accepts only full http(s) URLs', () => {
    expect(isHttpUrl('https://oa.example.com/wui/index.html')).toBe(true)
    expect(isHttpUrl('http://10.0.0.1:8080')).toBe(true)
    expect(isHttpUrl('oa.example.com')).toBe(false)
    expect(isHttpUrl('javascript:alert(1)')).toBe(false)
    expect(isHttpUrl('ftp://x')).toBe(false)
  })
})
