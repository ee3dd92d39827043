// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest'
import { flush, installServices, mountView, useViewEnv } from './helpers'
import DashboardView from '@/views/dashboard/DashboardView.vue'
import type { Health } from '@/bridge/dashboard'
import type { HourFigures } from '@/bridge/relay'

useViewEnv()

const overview = {
  corps: 1,
  apps: 2,
  appsVerified: 1,
  appsFailing: 1,
  listener: { running: true, addr: '0.0.0.0:8899', tls: false },
  publicBaseUrl: 'http://cb.example.com:8899',
}

function hours(fill: (i: number) => Partial<HourFigures>): HourFigures[] {
  return Array.from({ length: 24 }, (_, i) => ({
    hour: new Date(Date.UTC(2026, 10, 24, i)).toISOString(),
    received: 0,
    delivered: 0,
    failed: 0,
    dead: 0,
    calls: 0,
    ...fill(i),
  }))
}

const health: Health = {
  at: '2026-11-24T23:00:00Z',
  push: { hours: hours((i) => (i === 20 ? { received: 7, delivered: 5, failed: 1, dead: 1 } : {})), status: { queued: 2, retrying: 1 }, rules: 1, active: 1 },
  disk: { dir: '/var/lib/cloudbridge/db', free: 700 * 2 ** 20, total: 20 * 2 ** 30, minFree: 96 * 2 ** 20, warn: 2 ** 30, low: true, full: false },
  quotaIp: { used: 40, limit: 3000, windowSeconds: 20 },
  deleting: [{ id: 'c8', name: '旧分公司' }],
  corps: [
    {
      id: 'c1',
      name: '华为演示',
      users: 200,
      bound: 50,
      apps: [
        {
          id: 'a1',
          name: '好应用',
          clientId: 'x',
          lastVerify: { at: '2026-11-24T22:00:00Z', ok: true, elapsedMs: 12 },
          token: { at: '2026-11-24T22:30:00Z', ok: true, source: 'probe' },
          lastProbe: {
            at: '2026-11-24T22:30:00Z',
            by: 'schedule',
            tokenOk: true,
            probe: {
              warnings: [],
              permissions: [
                { key: 'auth', status: 'granted', endpoint: 'GET /auth/v2/userid' },
                { key: 'todo', status: 'denied', code: '501', endpoint: 'DELETE /todo/v1/deltask' },
              ],
            },
          },
          quota: [
            { class: 'contacts', api: 'GET /contact/v2/user/list', window: 'minute', used: 1300, limit: 1500, ratio: 0.867, near: true, second: 40, perSecond: 40, calls: 5200, waits: 12, waitedMs: 2400, refused: 1 },
            { class: 'todo', api: 'POST /todo/v1/addtask', window: 'minute', used: 3, limit: 1500, ratio: 0.002, near: false, second: 0, perSecond: 40, calls: 9, waits: 0, waitedMs: 0, refused: 0 },
          ],
        },
        {
          id: 'a2',
          name: '坏应用',
          clientId: 'y',
          lastVerify: { at: '2026-11-24T22:00:00Z', ok: false, elapsedMs: 9, error: { code: 'welink.10007' } },
          token: { at: '2026-11-24T22:00:00Z', ok: false, error: { code: 'welink.10007' }, source: 'verify' },
          lastProbe: { at: '2026-11-24T21:00:00Z', by: 'admin', tokenOk: false, error: { code: 'welink.10007' } },
          quota: [],
        },
        { id: 'a3', name: '新应用', clientId: 'z', quota: [] },
      ],
      sync: {
        welink: {
          last: {
            id: 'r1', corpId: 'c1', direction: 'welink', trigger: 'manual', status: 'done', startedAt: '2026-11-24T21:00:00Z', complete: true,
            counts: { matched: 0, create: 0, update: 0, move: 0, delete: 0, bind: 0, review: 0, skip: 0, done: 0, failed: 0, pending: 0, deptCreate: 0, userCreate: 0 },
            stats: { depts: 10, users: 200, deptsAdded: 0, deptsChanged: 0, deptsRemoved: 0, usersAdded: 3, usersChanged: 4, usersRemoved: 1, autoBound: 0 },
          },
          next: '2026-11-25T02:00:00Z',
        },
        oa: {},
      },
    },
  ],
}

describe('DashboardView health widgets', () => {
  it('shows each app token state, last/next sync with counts, bound ratio and 24 h push totals', async () => {
    installServices({ system: { Overview: async () => overview }, dashboard: { Health: async () => health } })
    await mountView(DashboardView)
    await flush(10)
    const card = document.querySelector('[data-testid="corp-health-c1"]') as HTMLElement
    expect(card).not.toBeNull()
    expect(card.querySelectorAll('[data-testid="app-health"]').length).toBe(3)
    expect(card.querySelector('[data-testid="token-ok"]')?.textContent).toContain('凭证正常')
    expect(card.querySelector('[data-testid="token-failed"]')).not.toBeNull()
    expect(card.querySelector('[data-testid="token-never"]')?.textContent).toContain('未验证')
    // Token failure with WeLink's translated error; permissions from the
    // stored probe; quota bars, the busy one red.
    expect(card.querySelector('[data-testid="token-error"]')?.textContent?.length).toBeGreaterThan(4)
    const apps = card.querySelectorAll('[data-testid="app-health"]')
    expect(apps[0].querySelector('[data-testid="perm-auth-granted"]')?.textContent).toContain('已开通')
    expect(apps[0].querySelector('[data-testid="perm-todo-denied"]')?.textContent).toContain('未开通')
    expect(apps[0].querySelector('[data-testid="probed-at"]')?.textContent).toContain('定时')
    expect(apps[1].querySelector('[data-testid="perms-no-token"]')).not.toBeNull()
    expect(apps[2].querySelector('[data-testid="perms-never"]')).not.toBeNull()
    const contacts = apps[0].querySelector('[data-testid="quota-contacts"]') as HTMLElement
    expect(contacts.dataset.state).toBe('near')
    expect(contacts.textContent).toContain('1300/1500/分钟')
    expect(contacts.textContent).toContain('限流等待 12 次，共 2.4 s')
    expect(contacts.textContent).toContain('48503')
    expect(contacts.textContent).toContain('本秒 40/40')
    expect((apps[0].querySelector('[data-testid="quota-todo"]') as HTMLElement).dataset.state).toBe('ok')
    expect(apps[2].querySelector('[data-testid="app-quota"]')?.textContent).toContain('尚未调用')
    const disk = document.querySelector('[data-testid="disk-health"]') as HTMLElement
    expect(disk.dataset.state).toBe('low')
    expect(disk.textContent).toContain('可用 700 MiB / 共 20.0 GiB')
    expect(disk.textContent).toContain('1.0 GiB')
    expect(document.querySelector('[data-testid="ip-quota"]')?.textContent).toContain('40/3000')
    const del = document.querySelector('[data-testid="corp-deleting-c8"]')!.textContent!
    expect(del).toContain('旧分公司')
    expect(del).toContain('继续删除')
    const wl = card.querySelector('[data-testid="sync-welink"]')!.textContent!
    expect(wl).toContain('完成')
    expect(wl).toContain('新增 3')
    expect(wl).toContain('移除 1')
    expect(wl).not.toContain('未设定时')
    const oa = card.querySelector('[data-testid="sync-oa"]')!.textContent!
    expect(oa).toContain('从未执行')
    expect(oa).toContain('未设定时')
    expect(card.querySelector('[data-testid="bound-ratio"]')?.textContent).toBe('25%')
    expect(document.querySelector('[data-testid="push-received"]')?.textContent).toBe('7')
    expect(document.querySelector('[data-testid="push-failed"]')?.textContent).toBe('2')
    expect(document.querySelector('[data-testid="throughput-chart"]')).not.toBeNull()
    // The checklist and the counters stay.
    expect(document.querySelector('[data-testid="stat-corps"]')?.textContent).toBe('1')
    expect(document.querySelector('[data-testid="step-corp"]')).not.toBeNull()
  })

  it('says what to do next when there is nothing yet', async () => {
    const empty: Health = { at: health.at, corps: [], deleting: [], push: { hours: hours(() => ({})), status: {}, rules: 0, active: 0 } }
    installServices({ system: { Overview: async () => ({ ...overview, corps: 0, apps: 0, appsVerified: 0, appsFailing: 0 }) }, dashboard: { Health: async () => empty } })
    await mountView(DashboardView)
    await flush(10)
    expect(document.querySelector('[data-testid="corps-empty"]')?.textContent).toContain('还没有 WeLink 企业')
    expect(document.querySelector('[data-testid="push-empty"]')).not.toBeNull()
    expect(document.querySelector('[data-testid="throughput-chart"]')).toBeNull()
  })

  it('runs the public URL check only on the button', async () => {
    const check = vi.fn(async () => ({ url: 'http://cb.example.com:8899/healthz', ok: false, elapsedMs: 3, error: { code: 'system.public_unreachable' } }))
    installServices({ system: { Overview: async () => overview, CheckPublic: check }, dashboard: { Health: async () => health } })
    await mountView(DashboardView)
    await flush(10)
    expect(check).not.toHaveBeenCalled()
    ;(document.querySelector('[data-testid="public-check"]') as HTMLElement).click()
    await flush(10)
    expect(check).toHaveBeenCalledTimes(1)
    const res = document.querySelector('[data-testid="public-check-result"]')!.textContent!
    expect(res).toContain('不可达')
    expect(res).toContain('http://cb.example.com:8899/healthz')
  })
})
