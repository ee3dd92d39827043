// @vitest-environment jsdom
// 系统设置 → 审计日志 against a stubbed Go audit service (desktop transport),
// and the before/after diff.
import { describe, expect, it, vi } from 'vitest'
import { byTestId, flush, installServices, mountView, useViewEnv } from './helpers'
import AuditPanel from '@/views/system/AuditPanel.vue'
import type { AuditEntry, AuditQuery } from '@/bridge/audit'
import { diffRows } from '@/utils/auditDiff'

useViewEnv()


const saved: AuditEntry = {
  id: '0000000000000002000000',
  at: '2026-11-25T01:02:03Z',
  actor: { kind: 'admin', name: 'admin', addr: '127.0.0.1', session: 'abcd1234' },
  action: 'system.SaveSettings',
  outcome: 'ok',
  args: { in: { publicBaseUrl: 'https://sso.example.com' } },
  before: { publicBaseUrl: '', publicListen: ':8443' },
  after: { publicBaseUrl: 'https://sso.example.com', publicListen: ':8443' },
  durationMs: 3,
}
const failed: AuditEntry = {
  id: '0000000000000001000000',
  at: '2026-11-25T01:00:00Z',
  actor: { kind: 'desktop', name: 'alice@pc' },
  action: 'tenant.CreateCorp',
  targets: ['name=华为'],
  outcome: 'corp.name_duplicate',
  errorParams: { name: '华为' },
  durationMs: 1,
}

describe('diffRows', () => {
  it('lists only changed leaves, walking objects and arrays of objects', () => {
    const rows = diffRows(
      { a: 1, rules: [{ field: 'mobile', on: true }], ids: ['x', 'y'], same: 's' },
      { a: 2, rules: [{ field: 'email', on: true }], ids: ['x'], same: 's', added: true },
    )
    expect(rows).toEqual([
      { path: 'a', before: '1', after: '2' },
      { path: 'added', before: undefined, after: 'true' },
      { path: 'ids', before: '["x","y"]', after: '["x"]' },
      { path: 'rules[0].field', before: 'mobile', after: 'email' },
    ])
    expect(diffRows(null, { id: 'r1' })).toEqual([{ path: 'id', before: undefined, after: 'r1' }])
    expect(diffRows({ a: 1 }, { a: 1 })).toEqual([])
  })
})

describe('AuditPanel', () => {
  it('shows time, actor, translated action, target and outcome; a row expands to the diff', async () => {
    const restored: AuditEntry = { ...failed, id: '0000000000000000000001', actor: { kind: 'system', name: 'cloudbridge' }, action: 'backup.RestoreApplied', outcome: 'ok', targets: [] }
    const list = vi.fn(async (_q: AuditQuery) => ({ entries: [saved, failed, restored], next: '' }))
    installServices({ audit: { ListEntries: list, ListActions: async () => ['system.SaveSettings', 'tenant.CreateCorp'] } })
    await mountView(AuditPanel)
    await flush()
    const table = byTestId('audit-table')?.textContent ?? ''
    expect(table).toContain('保存系统设置')
    expect(table).toContain('新建 WeLink 企业')
    expect(table).toContain('admin · 127.0.0.1')
    expect(table).toContain('alice@pc (桌面)')
    expect(table).toContain('cloudbridge (系统)')
    expect(table).toContain('启动时从备份恢复')
    expect(table).toContain('name=华为')
    expect(table).toContain('成功')
    expect(table).toContain('已存在名为“华为”的 WeLink 企业')
    ;(document.querySelector('.n-data-table-expand-trigger') as HTMLElement).click()
    await flush()
    const row = byTestId('audit-diff-publicBaseUrl')
    expect(row?.textContent).toContain('https://sso.example.com')
    expect(byTestId('audit-diff-publicListen')).toBeNull() // unchanged
    expect(byTestId('audit-args')?.textContent).toContain('sso.example.com')
  })

  it('sends the filter and exports what the table shows', async () => {
    const list = vi.fn(async (_q: AuditQuery) => ({ entries: [saved], next: '' }))
    const exp = vi.fn(async () => ({ name: 'audit-log.xlsx', contentBase64: btoa('PK') }))
    installServices({ audit: { ListEntries: list, ListActions: async () => [], ExportEntries: exp } })
    URL.createObjectURL ??= (() => 'blob:x') as never
    URL.revokeObjectURL ??= (() => {}) as never
    await mountView(AuditPanel)
    await flush()
    const input = byTestId('audit-actor')?.querySelector('input') as HTMLInputElement
    input.value = '127.0'
    input.dispatchEvent(new Event('input'))
    ;(byTestId('audit-search') as HTMLButtonElement).click()
    await flush()
    expect(list).toHaveBeenLastCalledWith(expect.objectContaining({ actor: '127.0', before: '' }))
    ;(byTestId('audit-export') as HTMLButtonElement).click()
    await flush()
    expect(exp).toHaveBeenCalledWith(expect.objectContaining({ actor: '127.0' }), 'zh-CN')
  })
})
