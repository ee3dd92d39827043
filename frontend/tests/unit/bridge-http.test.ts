// The headless transport against a local stand-in server speaking the contract.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startMockServer, type MockServer } from './mock-server'
import { AppError, call, onUnauthorized, setApiBase } from '@/bridge/core'
import { auth, system, tenant } from '@/bridge'

let srv: MockServer
beforeAll(async () => {
  srv = await startMockServer()
  setApiBase(srv.url)
})
afterAll(async () => {
  onUnauthorized(null)
  await srv.close()
})
afterEach(() => {
  srv.requests.length = 0
})

describe('call over HTTP', () => {
  it('posts the arguments as a JSON array with the CSRF header and returns the JSON result', async () => {
    srv.handle('tenant', 'RenameCorp', (args) => ({ body: { id: args[0], name: args[1], appCount: 0, createdAt: '', updatedAt: '' } }))
    const corp = await tenant.renameCorp('c1', '华为云')
    expect(corp).toMatchObject({ id: 'c1', name: '华为云' })
    const req = srv.requests.at(-1)!
    expect(req.method).toBe('POST')
    expect(req.url).toBe('/api/call/tenant/RenameCorp')
    expect(req.headers['x-cloudbridge']).toBe('1')
    expect(req.headers['content-type']).toBe('application/json')
    expect(JSON.parse(req.body)).toEqual(['c1', '华为云'])
  })

  it('sends an empty array for a method without arguments', async () => {
    srv.handle('tenant', 'ListCorps', () => ({ body: [] }))
    expect(await tenant.listCorps()).toEqual([])
    expect(JSON.parse(srv.requests.at(-1)!.body)).toEqual([])
  })

  it('treats a null list as empty', async () => {
    srv.handle('tenant', 'ListApps', () => ({ body: null }))
    expect(await tenant.listApps('c1')).toEqual([])
  })

  it('passes structured arguments through unchanged', async () => {
    srv.handle('system', 'Logs', (args) => ({ body: [{ time: '2025-01-01T00:00:00Z', level: 'INFO', msg: JSON.stringify(args[0]), attrs: {} }] }))
    const logs = await system.logs({ level: 'warn', text: 'welink', limit: 50 })
    expect(JSON.parse(logs[0].msg)).toEqual({ level: 'warn', text: 'welink', limit: 50 })
  })

  it('turns an error response into an AppError with code, params and status', async () => {
    srv.handle('tenant', 'DeleteCorp', () => ({ status: 409, body: { code: 'corp.in_use', params: { name: '演示企业', uses: '2' } } }))
    const err = await tenant.deleteCorp('c1').catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'corp.in_use', params: { name: '演示企业', uses: '2' }, status: 409 })
    expect(JSON.parse(srv.requests.at(-1)!.body)).toEqual(['c1', ''])
  })

  it('maps an error body that is not a catalogue error to "internal"', async () => {
    srv.handle('system', 'Overview', () => ({ status: 502, body: 'Bad Gateway', raw: true }))
    await expect(system.overview()).rejects.toMatchObject({ code: 'internal', status: 502 })
  })

  it('reports an unknown method as the server does', async () => {
    await expect(call('tenant', 'NoSuchMethod')).rejects.toMatchObject({ code: 'unknown_method', params: { method: 'tenant.NoSuchMethod' } })
  })

  it('calls the unauthorized handler on 401 unauthenticated, and not on other 401s', async () => {
    const seen = vi.fn()
    onUnauthorized(seen)
    srv.handle('system', 'GetSettings', () => ({ status: 401, body: { code: 'unauthenticated' } }))
    await expect(system.getSettings()).rejects.toMatchObject({ code: 'unauthenticated' })
    expect(seen).toHaveBeenCalledWith('unauthenticated')

    seen.mockClear()
    await expect(auth.login('wrong-password')).rejects.toMatchObject({ code: 'admin.login_failed', status: 401 })
    expect(seen).not.toHaveBeenCalled()
  })

  it('calls the unauthorized handler with admin.setup_required', async () => {
    const seen = vi.fn()
    onUnauthorized(seen)
    srv.handle('system', 'ListenerStatus', () => ({ status: 401, body: { code: 'admin.setup_required' } }))
    await expect(system.listenerStatus()).rejects.toMatchObject({ code: 'admin.setup_required' })
    expect(seen).toHaveBeenCalledWith('admin.setup_required')
  })

  it('reports an unreachable server as "unavailable"', async () => {
    setApiBase('http://127.0.0.1:9') // discard port: nothing listens
    try {
      await expect(system.overview()).rejects.toMatchObject({ code: 'unavailable' })
    } finally {
      setApiBase(srv.url)
    }
  })
})

describe('headless auth', () => {
  it('runs first-run setup, logout and login with the CSRF header', async () => {
    expect(await auth.status()).toEqual({ passwordSet: false, authenticated: false })
    await expect(auth.setup('short')).rejects.toMatchObject({ code: 'admin.password_weak', params: { min: '10' } })
    await auth.setup('correct horse battery')
    expect(await auth.status()).toEqual({ passwordSet: true, authenticated: true })
    await auth.logout()
    expect(await auth.status()).toEqual({ passwordSet: true, authenticated: false })
    await auth.login('correct horse battery')
    expect(await auth.status()).toEqual({ passwordSet: true, authenticated: true })
    const setupReq = srv.requests.find((r) => r.url === '/api/auth/setup' && r.body.includes('horse'))!
    expect(JSON.parse(setupReq.body)).toEqual({ password: 'correct horse battery' })
    expect(srv.requests.every((r) => r.headers['x-cloudbridge'] === '1')).toBe(true)
  })
})
