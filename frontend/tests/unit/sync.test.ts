// @vitest-environment jsdom
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { sync } from '@/bridge/sync'
import zhCN from '@/locales/zh-CN'
import enUS from '@/locales/en-US'
import RunDetail from '@/views/sync/RunDetail.vue'
import DirectoryPanel from '@/views/sync/DirectoryPanel.vue'
import { flush, installServices, mountView, uninstallServices } from './helpers'

beforeAll(() => {
  window.matchMedia ??= ((q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {} })) as never
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as never
})

const goDir = path.resolve(__dirname, '../../../backend/syncer')

// Every reason code the Go planner and engine emit has a translation, in
// both languages: a preview never shows a raw code.
describe('sync reasons', () => {
  it('are all translated', () => {
    const codes = new Set<string>()
    for (const f of fs.readdirSync(goDir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))) {
      const src = fs.readFileSync(path.join(goDir, f), 'utf8')
      for (const m of src.matchAll(/reason\("([a-z_]+)"/g)) codes.add(m[1])
    }
    expect(codes.size).toBeGreaterThan(20)
    for (const c of codes) {
      expect(zhCN.sync.reason, c).toHaveProperty(c)
      expect(enUS.sync.reason, c).toHaveProperty(c)
    }
  })
})

describe('sync bridge and preview', () => {
  afterEach(() => {
    uninstallServices()
    document.body.innerHTML = ''
  })

  it('sends the action filter with every field and shows the plan coloured by kind', async () => {
    const calls: unknown[][] = []
    const run = {
      id: 'r1', corpId: 'c1', direction: 'oa', trigger: 'preview', status: 'planned', startedAt: '2026-01-01T00:00:00Z', complete: true,
      counts: { matched: 1, create: 1, update: 0, move: 0, delete: 1, bind: 1, review: 0, skip: 0, done: 0, failed: 0, pending: 0, deptCreate: 1, userCreate: 0 },
    }
    installServices({
      syncer: {
        GetRun: async () => run,
        PlanTree: async () => [
          { runId: 'r1', seq: 0, object: 'dept', kind: 'match', oaId: 'sub:1', oaName: '演示部门', wlId: '1', reason: { code: 'dept_name', params: { level: '1' } }, result: 'done' },
          { runId: 'r1', seq: 1, object: 'dept', kind: 'create', oaId: 'dep:2', oaName: '部门B', parent: 'sub:1', reason: { code: 'dept_new' }, result: 'pending' },
        ],
        ListActions: async (...args: unknown[]) => {
          calls.push(args)
          return {
            total: 1,
            actions: [{ runId: 'r1', seq: 2, object: 'user', kind: 'delete', oaId: '4', oaName: '王五', wlId: 'w@t', reason: { code: 'user_left', params: { status: '5' } }, result: 'pending' }],
          }
        },
      },
    })
    await sync.listActions('r1', { kind: 'delete' })
    expect(calls[0]).toEqual(['r1', { object: '', kind: 'delete', result: '', query: '', offset: 0, limit: 50 }])
    const { wrapper: w } = await mountView(RunDetail, { props: { runId: 'r1' } })
    await flushPromises()
    await flush()
    const text = w.text()
    expect(text).toContain('演示部门')
    expect(text).toContain('部门B')
    expect(text).toContain('OA 中已离职（状态 5）')
    expect(w.find('[data-testid="delete-warning"]').text()).toContain('1')
    expect(w.find('[data-kind="create"]').exists()).toBe(true)
    expect(w.find('[data-testid="approve-deletes"]').exists()).toBe(true)
  })
})

describe('local directory edits', () => {
  afterEach(() => {
    uninstallServices()
    document.body.innerHTML = ''
  })

  const tree = (readOnly: boolean) => ({
    readOnly,
    users: 1,
    bound: 0,
    depts: [
      { code: '1', parentCode: '0', name: '演示部门', level: 1, order: 1, linked: true, users: 0 },
      { code: '2', parentCode: '1', name: '部门A', level: 2, order: 1, linked: false, users: 1 },
    ],
  })
  const people = { total: 1, users: [{ corpId: 'c1', userId: 'zs@t', nameCn: '张三', mobile: '+86-13800000002', mainDept: '2', depts: ['2'], deptNames: ['部门A'] }] }

  it('disables every edit in read-only mode and explains why', async () => {
    const calls: string[] = []
    installServices({
      syncer: {
        DirectoryTree: async () => tree(true),
        DirectoryUsers: async () => people,
        CreateDept: async () => calls.push('CreateDept'),
      },
    })
    const { wrapper: w } = await mountView(DirectoryPanel, { props: { corpId: 'c1' } })
    await flushPromises()
    await flush()
    for (const id of ['dept-new', 'dept-edit', 'dept-delete', 'user-new', 'user-edit', 'user-delete']) {
      const b = w.find(`[data-testid="${id}"]`)
      expect(b.exists(), id).toBe(true)
      expect(b.attributes('disabled'), id).toBeDefined()
    }
    expect(w.findAll('[data-testid="readonly-guard"]').length).toBeGreaterThan(0)
    await w.find('[data-testid="dept-new"]').trigger('click')
    expect(calls).toEqual([])
  })

  it('creates a department under the selected one in read-write mode', async () => {
    const created: unknown[] = []
    installServices({
      syncer: {
        DirectoryTree: async () => tree(false),
        DirectoryUsers: async () => people,
        CreateDept: async (d: unknown) => {
          created.push(d)
          return { code: '9', parentCode: '1', name: '研发部', level: 2, order: 0, linked: false, users: 0 }
        },
      },
    })
    const { wrapper: w } = await mountView(DirectoryPanel, { props: { corpId: 'c1' } })
    await flushPromises()
    await flush()
    expect(w.find('[data-testid="dept-new"]').attributes('disabled')).toBeUndefined()
    expect(w.find('[data-testid="user-edit"]').attributes('disabled')).toBeUndefined()
    await w.find('[data-testid="dept-new"]').trigger('click')
    await flush()
    const name = document.querySelector('[data-testid="dept-name"] input') as HTMLInputElement
    name.value = '研发部'
    name.dispatchEvent(new Event('input'))
    ;(document.querySelector('[data-testid="dept-save"]') as HTMLButtonElement).click()
    await flushPromises()
    await flush()
    expect(created).toEqual([{ corpId: 'c1', code: undefined, parentCode: '0', name: '研发部', order: 0 }])
  })
})
