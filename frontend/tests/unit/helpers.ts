// Mounting views the way the app does: i18n, Pinia, router and Naive UI's
// message/dialog providers. Go services are stubbed behind window.go's
// app.Bridge, i.e. the desktop transport, so no HTTP is involved.
import { afterEach, beforeAll } from 'vitest'
import { defineComponent, h, type Component } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { NDialogProvider, NMessageProvider } from 'naive-ui'
import { makeI18n } from '@/i18n'

export type Methods = Record<string, (...args: any[]) => Promise<unknown>>

export function installServices(services: Record<string, Methods>) {
  ;(window as unknown as { go: unknown }).go = bridgeFor(services)
}

/**
 * window.go as the Wails window has it: one bound struct, app.Bridge, whose
 * Call(pkg, method, args) reaches the Go dispatcher. Here it reaches the
 * stubs, rejecting an unknown method the way the dispatcher does.
 */
export function bridgeFor(services: Record<string, Methods>) {
  const Call = async (pkg: string, method: string, args: unknown[]) => {
    const fn = services[pkg]?.[method]
    if (typeof fn !== 'function') throw { code: 'unknown_method', params: { method: `${pkg}.${method}` } }
    return fn(...args)
  }
  return { app: { Bridge: { Call } } }
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

/** jsdom lacks what Naive UI measures with; each view test also starts from
 *  an empty page and no stubbed services. Call once at the top of a file. */
export function useViewEnv() {
  beforeAll(() => {
    window.matchMedia ??= ((q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {} })) as never
    globalThis.ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    } as never
  })
  afterEach(() => {
    uninstallServices()
    document.body.innerHTML = ''
  })
}

export const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null
