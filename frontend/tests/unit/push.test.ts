// @vitest-environment jsdom
// The push screens against stubbed Go services (desktop transport).
import { describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { byTestId, flush, installServices, mountView, useViewEnv } from './helpers'
import RuleEditor from '@/views/push/RuleEditor.vue'
import DefaultRuleOffer from '@/views/push/DefaultRuleOffer.vue'
import { relay, type Rule } from '@/bridge/relay'

useViewEnv()

const corps = [{ id: 'c1', name: '演示企业', appCount: 1, createdAt: '', updatedAt: '' }]
const apps = [{ id: 'a1', corpId: 'c1', name: '云桥演示应用', clientId: 'x', secretSet: true }]
const tenantStub = { ListCorps: async () => corps, ListApps: async () => apps }
const modules = [{ name: 'workflow', seen: 3, known: true }]

const allRule: Rule = {
  id: 'r1',
  name: '全部消息',
  enabled: true,
  source: 'all',
  targets: [{ id: 't1', platform: 'welink', corpId: 'c1', appId: 'a1', type: 'notice', corpName: '演示企业', appName: '云桥演示应用' }],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
}

describe('RuleEditor', () => {
  it('shows the seed warning for source "all", flags unsaved target changes and saves the whole rule', async () => {
    const saveRule = vi.fn(async (r: Rule) => ({ ...allRule, ...r }))
    installServices({ tenant: tenantStub, relay: { Modules: async () => modules, SaveRule: saveRule } })
    await mountView(RuleEditor, { props: { show: true, rule: allRule } })
    await flush()
    expect(byTestId('all-warning')?.textContent).toContain('OA 其他应用的消息')
    expect(byTestId('unsaved')).toBeNull()
    ;(byTestId('add-target') as HTMLButtonElement).click()
    await flushPromises()
    expect(byTestId('unsaved')?.textContent).toContain('推送目标新建之后，要点击【保存】')
    expect(document.querySelectorAll('[data-testid^="target-type-"]').length).toBe(2)
    ;(byTestId('rule-save') as HTMLButtonElement).click()
    await flush()
    expect(saveRule).toHaveBeenCalledTimes(1)
    const sent = saveRule.mock.calls[0][0] as unknown as Rule
    expect(sent.id).toBe('r1')
    expect(sent.targets).toHaveLength(2)
    expect(sent.targets[1]).toMatchObject({ corpId: 'c1', appId: 'a1', platform: 'welink' })
  })

  it('shows a catalogue error in the current language', async () => {
    installServices({
      tenant: tenantStub,
      relay: { Modules: async () => modules, SaveRule: async () => Promise.reject({ code: 'relay.targets_required' }) },
    })
    await mountView(RuleEditor, { props: { show: true, rule: null } })
    await flush()
    ;(byTestId('rule-save') as HTMLButtonElement).click()
    await flush()
    expect(byTestId('rule-error')?.textContent).toContain('请至少添加一个推送目标')
  })
})

describe('DefaultRuleOffer', () => {
  it('offers a default to-do rule for an app without one and creates it', async () => {
    const create = vi.fn(async () => ({ ...allRule, id: 'r9', name: '云桥演示应用 待办', source: 'todo' }))
    installServices({ relay: { DefaultRuleFor: async () => ({ appId: 'a1', offer: true }), CreateDefaultRule: create } })
    await mountView(DefaultRuleOffer, { props: { appId: 'a1' } })
    await flush()
    expect(byTestId('default-rule-offer')).not.toBeNull()
    ;(byTestId('create-default-rule') as HTMLButtonElement).click()
    await flush()
    expect(create).toHaveBeenCalledWith('a1')
    expect(byTestId('default-rule-exists')?.textContent).toContain('云桥演示应用 待办')
  })
})

describe('relay bridge', () => {
  it('sends Go zero times for an open time range', async () => {
    const list = vi.fn(async () => ({ rows: [], total: 0, counts: {} }))
    installServices({ relay: { ListDeliveries: list } })
    await relay.listDeliveries({ status: 'dead', source: '', receiver: '', text: '', appId: '', type: '', offset: 0, limit: 20 })
    expect(list).toHaveBeenCalledWith(expect.objectContaining({ status: 'dead', from: '0001-01-01T00:00:00Z', to: '0001-01-01T00:00:00Z' }))
  })
})
