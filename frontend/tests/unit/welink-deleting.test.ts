// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flush, installServices, mountView, useViewEnv } from './helpers'
import WelinkView from '@/views/welink/WelinkView.vue'

useViewEnv()
afterEach(() => localStorage.clear())

const corp = { id: 'c9', name: '旧企业', appCount: 1, deleting: true, createdAt: '2026-11-20T08:00:00Z', updatedAt: '2026-11-24T08:00:00Z' }

describe('WeLink corp list: a corp whose delete was interrupted', () => {
  it('shows the Deleting mark and resumes the delete without asking for the cascade again', async () => {
    let listed = [corp]
    const del = vi.fn(async () => {
      listed = []
    })
    installServices({
      tenant: { ListCorps: async () => listed, ListApps: async () => [], DeleteCorp: del },
      system: { GetSettings: async () => ({ publicBaseUrl: '' }) },
    })
    await mountView(WelinkView, { path: '/welink?corp=c9' })
    await flush(10)
    expect(document.querySelector('[data-testid="corp-deleting"]')?.textContent).toContain('删除中')
    // No new app for it: the Go side would refuse with corp.deleting anyway.
    expect((document.querySelector('[data-testid="add-app"]') as HTMLButtonElement).disabled).toBe(true)
    ;(document.querySelector('[data-testid="resume-delete"]') as HTMLElement).click()
    await flush(5)
    const confirm = [...document.querySelectorAll('.n-dialog .n-button')].find((b) => b.textContent?.includes('继续删除')) as HTMLElement
    expect(confirm).toBeTruthy()
    confirm.click()
    await flush(10)
    expect(del).toHaveBeenCalledWith('c9', '')
    expect(document.querySelector('[data-testid="corp-deleting"]')).toBeNull()
  })

  it('shows no mark for an ordinary corp', async () => {
    installServices({
      tenant: { ListCorps: async () => [{ ...corp, deleting: false }], ListApps: async () => [] },
      system: { GetSettings: async () => ({ publicBaseUrl: '' }) },
    })
    await mountView(WelinkView, { path: '/welink?corp=c9' })
    await flush(10)
    expect(document.querySelector('[data-testid="corp-deleting"]')).toBeNull()
    expect(document.querySelector('[data-testid="resume-delete"]')).toBeNull()
  })
})
