// Mounting views the way the app does: i18n, Pinia, router and Naive UI's
// message/dialog providers. Go services are stubbed through window.go, i.e.
// the desktop transport, so no HTTP is involved.
import { defineComponent, h, type Component } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { NDialogProvider, NMessageProvider } from 'naive-ui'
import { makeI18n } from '@/i18n'

export type Methods = Record<string, (...args: any[]) => Promise<unknown>>

export function installServices(services: Record<string, Methods>) {
  const go: Record<string, { Service: Methods }> = {}
  for (const [pkg, methods] of Object.entries(services)) go[pkg] = { Service: methods }
  ;(window as unknown as { go: unknown }).go = go
}

export function uninstallServices() {
  delete (window as unknown as { go?: unknown }).go
}

export async function mountView(view: Component, opts: { props?: Record<string, unknown>; path?: string } = {}) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/:any(.*)*', name: 'any', component: { render: () => null } },
      { path: '/welink', name: 'welink', component: { render: () => null } },
      { path: '/welink/:corpId/apps/:appId', name: 'app-detail', component: { render: () => null } },
      { path: '/dashboard', name: 'dashboard', component: { render: () => null } },
    ],
  })
  await router.push(opts.path ?? '/')
  const Host = defineComponent({
    setup: () => () => h(NMessageProvider, null, () => h(NDialogProvider, null, () => h(view, opts.props ?? {}))),
  })
  const wrapper = mount(Host, {
    attachTo: document.body,
    global: { plugins: [makeI18n('zh-CN'), createPinia(), router] },
  })
  return { wrapper, router }
}

export async function flush(times = 5) {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0))
}
