// @vitest-environment jsdom
// 系统设置 → 备份 → 配置导出/导入 against a stubbed Go configio service.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { byTestId, flush, installServices, mountView, useViewEnv } from './helpers'
import ConfigTransfer from '@/views/system/ConfigTransfer.vue'

useViewEnv()
beforeAll(() => {
  URL.createObjectURL ??= (() => 'blob:x') as never
  URL.revokeObjectURL ??= (() => {}) as never
})


function choose(content: string, name = 'cfg.json') {
  const input = byTestId('config-import-file') as HTMLInputElement
  Object.defineProperty(input, 'files', { value: [new File([content], name, { type: 'application/json' })], configurable: true })
  input.dispatchEvent(new Event('change'))
}

const preview = {
  exportedAt: '2026-11-25T01:00:00Z', appVersion: '1.0.0', secrets: 'encrypted', secretsIncluded: true,
  sections: [
    { section: 'corps', added: 1, changed: 0, kept: 2, items: [{ key: 'c9', label: '新企业', op: 'add' }] },
    { section: 'relayRules', added: 0, changed: 1, kept: 0, items: [{ key: 'r1', label: '待办推送', op: 'change' }] },
    { section: 'backup', added: 0, changed: 0, kept: 1, items: [{ key: 'backup', label: '', op: 'keep' }] },
  ],
}

describe('ConfigTransfer', () => {
  it('exports without a passphrase and says the file holds no secrets', async () => {
    const exp = vi.fn(async () => ({ name: 'cloudbridge-config-x-no-secrets.json', contentBase64: btoa('{}') }))
    installServices({ configio: { ExportConfig: exp } })
    await mountView(ConfigTransfer)
    await flush()
    ;(byTestId('config-export') as HTMLButtonElement).click()
    await flush()
    expect(exp).toHaveBeenCalledWith('')
    expect(byTestId('config-export-done')?.textContent).toContain('不含密钥')
  })

  it('asks for the passphrase of an encrypted file, previews per section and applies', async () => {
    const pv = vi.fn(async () => preview)
    const apply = vi.fn(async () => ({ preview, restarting: true }))
    installServices({ configio: { PreviewImport: pv, ApplyImport: apply } })
    await mountView(ConfigTransfer)
    await flush()
    choose('{"format": "cloudbridge-config", "version": 1, "secrets": "encrypted", "sections": {}}')
    await flush()
    await new Promise((r) => setTimeout(r, 50))
    await flush()
    expect(byTestId('config-import-pass')).not.toBeNull()
    expect(pv).not.toHaveBeenCalled()
    const input = byTestId('config-import-pass')!.querySelector('input')!
    input.value = 'correct horse battery'
    input.dispatchEvent(new Event('input'))
    await flush()
    ;(byTestId('config-import-check') as HTMLButtonElement).click()
    await flush()
    expect(pv).toHaveBeenCalledTimes(1)
    expect((pv.mock.calls[0] as unknown[])[1]).toBe('correct horse battery')
    const table = byTestId('config-preview-table')?.textContent ?? ''
    expect(table).toContain('WeLink 企业')
    expect(table).toContain('推送规则')
    ;(byTestId('config-apply') as HTMLButtonElement).click()
    await flush()
    expect(apply).toHaveBeenCalledTimes(1)
  })

  it('shows an area refusal inside config.invalid in the admin language', async () => {
    const inner = JSON.stringify({ code: 'corp.not_found' })
    installServices({
      configio: {
        PreviewImport: async () => { throw { code: 'config.invalid', params: { section: 'sync', detail: 'x', inner } } },
      },
    })
    await mountView(ConfigTransfer)
    await flush()
    choose('{"format": "cloudbridge-config", "version": 1, "secrets": "omitted", "sections": {}}')
    await new Promise((r) => setTimeout(r, 50))
    await flush()
    const text = byTestId('config-import-error')?.textContent ?? ''
    expect(text).toContain('同步设置')
    expect(text).not.toContain('x。')
  })
})
