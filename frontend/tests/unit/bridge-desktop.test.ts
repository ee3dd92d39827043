// The Wails transport: window.go.app.Bridge.Call(pkg, method, args), the
// window's one binding (the Go dispatcher behind it records changes).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppError, call, isDesktop, toAppError } from '@/bridge/core'
import { tenant } from '@/bridge'
import { bridgeFor } from './helpers'

const g = globalThis as unknown as { window?: unknown }

function installGo(services: Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>) {
  g.window = { go: bridgeFor(services) }
}

afterEach(() => {
  delete g.window
})

describe('desktop transport', () => {
  it('is chosen only when window.go exists', () => {
    expect(isDesktop()).toBe(false)
    installGo({})
    expect(isDesktop()).toBe(true)
  })

  it('calls the bound method with the arguments and returns its result', async () => {
    const saveApp = vi.fn(async (input: unknown) => ({ ...(input as object), id: 'a1', secretSet: true }))
    installGo({ tenant: { SaveApp: saveApp } })
    const input = {
      id: '',
      corpId: 'c1',
      name: 'OA',
      clientId: '20231101000000000000001',
      clientSecret: 's',
      homepage: { kind: 'entry' as const, entry: 'home', customUrl: '' },
    }
    const app = await tenant.saveApp(input)
    expect(saveApp).toHaveBeenCalledWith(input)
    expect(app).toMatchObject({ id: 'a1', secretSet: true })
  })

  it('turns a rejection with {code, params} into an AppError', async () => {
    installGo({ tenant: { CreateCorp: async () => Promise.reject({ code: 'corp.name_duplicate', params: { name: '演示' } }) } })
    const err = await tenant.createCorp('演示').catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'corp.name_duplicate', params: { name: '演示' } })
  })

  it('accepts a JSON-encoded error string and falls back to "internal" for plain text', async () => {
    installGo({
      tenant: {
        GetApp: async () => Promise.reject(JSON.stringify({ code: 'app.not_found' })),
        ListCorps: async () => Promise.reject('some Go error text'),
      },
    })
    await expect(tenant.getApp('x')).rejects.toMatchObject({ code: 'app.not_found' })
    await expect(tenant.listCorps()).rejects.toMatchObject({ code: 'internal' })
  })

  it('reports a method the dispatcher does not know as unknown_method', async () => {
    installGo({ tenant: {} })
    await expect(call('tenant', 'Nope')).rejects.toMatchObject({ code: 'unknown_method', params: { method: 'tenant.Nope' } })
  })

  it('passes pkg, method and the arguments as one array to the Bridge, undefined as null', async () => {
    const Call = vi.fn(async () => 'ok')
    g.window = { go: { app: { Bridge: { Call } } } }
    await expect(call('relay', 'SetRuleEnabled', 'r1', true, undefined)).resolves.toBe('ok')
    expect(Call).toHaveBeenCalledWith('relay', 'SetRuleEnabled', ['r1', true, null])
  })

  it('says unavailable when the window has no Bridge bound', async () => {
    g.window = { go: {} }
    await expect(call('tenant', 'ListCorps')).rejects.toMatchObject({ code: 'unavailable' })
  })
})

describe('toAppError', () => {
  it('stringifies parameter values and keeps AppErrors as they are', () => {
    const e = toAppError({ code: 'admin.locked_out', params: { seconds: 30 } })
    expect(e.params).toEqual({ seconds: '30' })
    expect(toAppError(e)).toBe(e)
    expect(toAppError(new Error('boom')).code).toBe('internal')
    expect(toAppError(undefined).code).toBe('internal')
  })
})
