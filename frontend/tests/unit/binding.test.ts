// @vitest-environment jsdom
// The binding screens against stubbed Go services (desktop transport).
import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { byTestId, flush, installServices, mountView, useViewEnv } from './helpers'
import SettingsPanel from '@/views/binding/SettingsPanel.vue'
import UnbindPanel from '@/views/binding/UnbindPanel.vue'
import type { BindingSettings } from '@/bridge/binding'

useViewEnv()

const fields = { welink: ['mobile', 'email', 'employeeId', 'corpUserId', 'userId', 'userIdPrefix'], oa: ['mobile', 'email', 'workCode', 'loginId', 'id'] }
const settings: BindingSettings = {
  corpId: 'c1',
  autoBind: false,
  rules: [
    { welinkField: 'mobile', oaField: 'mobile' },
    { welinkField: 'userIdPrefix', oaField: 'loginId' },
  ],
  selfService: true,
}

describe('SettingsPanel', () => {
  it('edits the shared setting, saves it whole, and previews before applying', async () => {
    const save = vi.fn(async (s: BindingSettings) => ({ ...s, updatedAt: '2026-11-24T08:00:00Z' }))
    const preview = vi.fn(async () => ({
      token: 'tok',
      rules: settings.rules,
      oaUsers: 40,
      examined: 3,
      shown: 2,
      result: {
        bound: 1, none: 0, ambiguous: 1, alreadyBound: 1, taken: 0, conflict: 0,
        outcomes: [
          { welinkUserId: 'zs@x', name: '张三', reason: 'bound', rule: 'mobile=mobile', value: '13800000001', oaUserId: '1', oaLoginId: 'zhangsan', oaName: '张三' },
          { welinkUserId: 'ww@x', name: '王五', reason: 'ambiguous', rule: 'mobile=mobile', candidates: ['wangwu', 'wangwu2'] },
        ],
      },
    }))
    const apply = vi.fn(async () => ({ planned: 1, applied: 1, unchanged: 0, stale: 0, notApplied: 0, problems: [] }))
    installServices({
      binding: { GetSettings: async () => structuredClone(settings), Fields: async () => fields, SaveSettings: save, PreviewAutoBind: preview, ApplyAutoBind: apply },
    })
    await mountView(SettingsPanel, { props: { corpId: 'c1', version: 0 } })
    await flush()
    expect(document.querySelectorAll('[data-testid="rule-row"]').length).toBe(2)
    // The "@" in a label is literal, not vue-i18n's linked-message syntax.
    expect(document.body.textContent).toContain('WeLink 账号（@ 之前）')
    ;(byTestId('autobind-switch') as HTMLElement).click()
    await flushPromises()
    // Unsaved changes: no run until saved.
    expect((byTestId('autobind-preview') as HTMLButtonElement).disabled).toBe(true)
    ;(byTestId('settings-save') as HTMLButtonElement).click()
    await flush()
    expect(save).toHaveBeenCalledTimes(1)
    expect(save.mock.calls[0][0]).toMatchObject({ corpId: 'c1', autoBind: true, selfService: true, rules: settings.rules })
    ;(byTestId('autobind-preview') as HTMLButtonElement).click()
    await flush()
    expect(preview).toHaveBeenCalledWith('c1')
    expect(apply).not.toHaveBeenCalled()
    expect(byTestId('preview-bound')?.textContent).toContain('1')
    ;(byTestId('autobind-apply') as HTMLButtonElement).click()
    await flush()
    expect(apply).toHaveBeenCalledWith('tok')
    expect(byTestId('apply-result')?.textContent).toContain('已写入 1 条绑定')
  })
})

describe('UnbindPanel', () => {
  it('unbinds only after the exact corp name is typed and lists the snapshot to restore', async () => {
    const unbindAll = vi.fn(async () => ({ id: 's1', corpId: 'c1', at: '2026-11-24T08:00:00Z', by: 'admin', count: 3, complete: true }))
    installServices({
      binding: { ListSnapshots: async () => [{ id: 's0', corpId: 'c1', at: '2026-11-23T08:00:00Z', by: 'admin', count: 5, complete: false }], UnbindAll: unbindAll },
    })
    await mountView(UnbindPanel, { props: { corpId: 'c1', corpName: '华为演示', bound: 3, version: 0 } })
    await flush()
    expect(byTestId('snapshots')?.textContent).toContain('未完成（已解绑 5 条）')
    const input = byTestId('unbind-confirm')!.querySelector('input') as HTMLInputElement
    input.value = '华为'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    expect((byTestId('unbind-all') as HTMLButtonElement).disabled).toBe(true)
    input.value = '华为演示'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    ;(byTestId('unbind-all') as HTMLButtonElement).click()
    await flush()
    expect(unbindAll).toHaveBeenCalledWith('c1', '华为演示')
  })
})
