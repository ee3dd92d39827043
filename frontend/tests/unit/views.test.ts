// @vitest-environment jsdom
import { reactive } from 'vue'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { flush, installServices, mountView, useViewEnv } from './helpers'
import SetupView from '@/views/auth/SetupView.vue'
import AppDetailView from '@/views/welink/AppDetailView.vue'
import DeleteCorpDialog from '@/views/welink/DeleteCorpDialog.vue'
import type { App, CorpUsage } from '@/bridge'

useViewEnv()
afterEach(() => vi.unstubAllGlobals())

const input = (testid: string) => document.querySelector(`[data-testid="${testid}"] input`) as HTMLInputElement
const byTestId = (testid: string) => document.querySelector(`[data-testid="${testid}"]`) as HTMLElement

async function type(el: HTMLInputElement, value: string) {
  el.value = value
  el.dispatchEvent(new Event('input'))
  await flushPromises()
}

describe('SetupView (first run)', () => {
  it('refuses a short password or a mismatched confirmation without calling the server', async () => {
    const fetchSpy = vi.fn()
    vi.stubGlobal('fetch', fetchSpy)
    await mountView(SetupView)
    await type(input('setup-password'), 'short')
    byTestId('setup-submit').click()
    await flushPromises()
    expect(byTestId('setup-error').textContent).toContain('密码至少需要 10 个字符')

    await type(input('setup-password'), 'long enough password')
    await type(input('setup-confirm'), 'long enough passwork')
    byTestId('setup-submit').click()
    await flushPromises()
    expect(byTestId('setup-error').textContent).toContain('两次输入的密码不一致')
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  it('sets the password when both entries match', async () => {
    const fetchSpy = vi.fn(async () => new Response('{}', { status: 200 }))
    vi.stubGlobal('fetch', fetchSpy)
    const { router } = await mountView(SetupView, { path: '/setup' })
    await type(input('setup-password'), 'long enough password')
    await type(input('setup-confirm'), 'long enough password')
    byTestId('setup-submit').click()
    await flush()
    expect(fetchSpy).toHaveBeenCalledTimes(1)
    const [url, init] = fetchSpy.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/auth/setup')
    expect(JSON.parse(init.body as string)).toEqual({ password: 'long enough password' })
    expect((init.headers as Record<string, string>)['X-CloudBridge']).toBe('1')
    expect(router.currentRoute.value.path).toBe('/dashboard')
  })
})

const storedApp: App = {
  id: 'a1',
  corpId: 'c1',
  name: 'OA 办公',
  clientId: '20231101000000000000001',
  secretSet: true,
  secretUpdatedAt: '2025-07-15T08:00:00Z',
  homepage: { kind: 'entry', entry: 'todo', customUrl: '' },
  homepageUrls: { mobile: 'https://bridge.example.com/m/a1', pc: 'https://bridge.example.com/pc/a1' },
  createdAt: '2025-07-15T08:00:00Z',
  updatedAt: '2025-07-15T08:00:00Z',
}

function appServices(overrides: Record<string, (...a: any[]) => Promise<unknown>> = {}) {
  const saveApp = vi.fn(async (inp: { name: string }) => ({ ...storedApp, name: inp.name }))
  const verifyApp = vi.fn(async () => ({ ok: false, elapsedMs: 12, error: { code: 'welink.10007' } }))
  installServices({
    tenant: {
      ListCorps: async () => [{ id: 'c1', name: '演示企业', appCount: 1, createdAt: '', updatedAt: '' }],
      GetApp: async () => storedApp,
      SaveApp: saveApp,
      VerifyApp: verifyApp,
      ...overrides,
    },
    system: {
      GetSettings: async () => ({
        oaEntries: [
          { key: 'home', name: 'OA 首页', url: 'https://oa.example.com' },
          { key: 'todo', name: '待办', url: 'https://oa.example.com/todo' },
        ],
      }),
    },
  })
  return { saveApp, verifyApp }
}

describe('AppDetailView', () => {
  it('never prefills the secret: it shows the "set" state and saves "" to keep it', async () => {
    const { saveApp } = appServices()
    await mountView(AppDetailView, { props: { corpId: 'c1', appId: 'a1' }, path: '/welink/c1/apps/a1' })
    await flush()
    const secret = input('app-client-secret')
    expect(secret.value).toBe('')
    expect(secret.type).toBe('password')
    expect(secret.placeholder).toBe('已设置，留空则保持不变')
    expect(byTestId('secret-state').textContent).toContain('已设置')
    expect(input('app-client-id').value).toBe('20231101000000000000001')

    await type(input('app-name'), 'OA 移动办公')
    byTestId('app-save').click()
    await flush()
    expect(saveApp).toHaveBeenCalledWith({
      id: 'a1',
      corpId: 'c1',
      name: 'OA 移动办公',
      clientId: '20231101000000000000001',
      clientSecret: '',
      homepage: { kind: 'entry', entry: 'todo', customUrl: '' },
    })
  })

  it('shows both homepage URLs with copy buttons', async () => {
    appServices()
    await mountView(AppDetailView, { props: { corpId: 'c1', appId: 'a1' } })
    await flush()
    expect(byTestId('url-mobile-value').textContent).toBe('https://bridge.example.com/m/a1')
    expect(byTestId('url-pc-value').textContent).toBe('https://bridge.example.com/pc/a1')
    expect(byTestId('url-mobile-copy')).toBeTruthy()
  })

  it('says the public base URL is missing instead of showing empty URLs', async () => {
    installServices({
      tenant: { ListCorps: async () => [], GetApp: async () => ({ ...storedApp, homepageUrls: { mobile: '', pc: '' } }) },
      system: { GetSettings: async () => ({ oaEntries: [] }) },
    })
    await mountView(AppDetailView, { props: { corpId: 'c1', appId: 'a1' } })
    await flush()
    expect(byTestId('urls-need-public').textContent).toContain('还没有设置对外访问地址')
    expect(document.querySelector('[data-testid="url-mobile-value"]')).toBeNull()
  })

  it('shows a WeLink rejection from verify as the translated catalogue message', async () => {
    const { verifyApp } = appServices()
    await mountView(AppDetailView, { props: { corpId: 'c1', appId: 'a1' } })
    await flush()
    byTestId('verify').click()
    await flush()
    expect(verifyApp).toHaveBeenCalledWith('a1')
    expect(byTestId('verify-error').textContent).toBe('client_id 或 client_secret 错误（10007）')
  })

  it('requires a secret for a new app and a valid custom link before saving', async () => {
    const { saveApp } = appServices()
    await mountView(AppDetailView, { props: { corpId: 'c1' } })
    await flush()
    await type(input('app-name'), '新应用')
    await type(input('app-client-id'), 'abc')
    byTestId('app-save').click()
    await flush()
    expect(byTestId('app-form-error').textContent).toBe('请填写client_secret')
    expect(saveApp).not.toHaveBeenCalled()
  })
})

describe('DeleteCorpDialog (cascading delete)', () => {
  const usage1: CorpUsage = {
    corpId: 'c1',
    name: '演示企业',
    apps: [{ id: 'a1', name: 'OA 办公' }],
    uses: [{ kind: 'push_rule', id: 'r1', name: '待办推送' }],
    token: 'tok-1',
  }
  const usage2: CorpUsage = { ...usage1, uses: [...usage1.uses, { kind: 'qr_login', id: 'q', name: '扫码登录' }], token: 'tok-2' }

  it('lists what goes, needs the corp name, and re-confirms when the usage changed', async () => {
    const deleteCorp = vi
      .fn()
      .mockRejectedValueOnce({ code: 'corp.confirm_mismatch' })
      .mockResolvedValueOnce(undefined)
    const corpUsage = vi.fn(async () => usage2)
    installServices({ tenant: { DeleteCorp: deleteCorp, CorpUsage: corpUsage } })
    const props = reactive<{ show: boolean; usage: CorpUsage | null; onDeleted: () => void }>({ show: false, usage: null, onDeleted: vi.fn() })
    await mountView(DeleteCorpDialog, { props })
    // Opening it (show false → true) is what loads the usage into the dialog.
    props.usage = usage1
    props.show = true
    await flush()

    const list = () => byTestId('cascade-list').textContent ?? ''
    expect(list()).toContain('OA 办公')
    expect(list()).toContain('待办推送')
    const confirm = () => byTestId('cascade-confirm') as HTMLButtonElement
    expect(confirm().disabled).toBe(true)

    await type(input('cascade-name'), '演示企业')
    expect(confirm().disabled).toBe(false)
    confirm().click()
    await flush()
    expect(deleteCorp).toHaveBeenLastCalledWith('c1', 'tok-1')
    expect(corpUsage).toHaveBeenCalledWith('c1')
    expect(byTestId('cascade-dialog').textContent).toContain('待删除的内容已发生变化')
    expect(list()).toContain('扫码登录')
    expect(confirm().disabled).toBe(true)

    await type(input('cascade-name'), '演示企业')
    confirm().click()
    await flush()
    expect(deleteCorp).toHaveBeenLastCalledWith('c1', 'tok-2')
    expect(props.onDeleted).toHaveBeenCalledTimes(1)
  })
})
