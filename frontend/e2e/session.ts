// Shared by the area specs: the server is started once per run (global
// setup), so whichever spec comes first sets the admin password and the
// others sign in. 01-console.spec.ts runs first and tests the setup page.
import type { APIRequestContext, Page } from '@playwright/test'

export const PASSWORD = 'bridge-admin-2025'

export function baseURL(): string {
  const url = process.env.CLOUDBRIDGE_E2E_URL
  if (!url) throw new Error('global setup did not start cloudbridge')
  return url
}

/** Signs the page's context in through the admin API (setup on first run). */
export async function signIn(page: Page): Promise<void> {
  const headers = { 'X-CloudBridge': '1' }
  const status = await (await page.request.get(`${baseURL()}/api/auth/status`)).json()
  if (status.authenticated) return
  const path = status.passwordSet ? '/api/auth/login' : '/api/auth/setup'
  const res = await page.request.post(`${baseURL()}${path}`, { headers, data: { password: PASSWORD } })
  if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`)
}

export const DEMO_CLIENT_ID = '20231101000000000000001'
export const DEMO_SECRET = 'demo-secret-cloudbridge'
export const publicUrl = () => process.env.CLOUDBRIDGE_E2E_PUBLIC_URL!

/** Calls a bound service method through the headless transport. */
export async function api<T>(req: APIRequestContext, pkg: string, method: string, ...args: unknown[]): Promise<T> {
  const res = await req.post(`${baseURL()}/api/call/${pkg}/${method}`, { headers: { 'X-CloudBridge': '1' }, data: args })
  const text = await res.text()
  if (!res.ok()) throw new Error(`${pkg}.${method}: ${res.status()} ${text}`)
  return (text ? JSON.parse(text) : null) as T
}

/** Points the public base URL at the test's public listener (homepage URLs, SSO links). */
export async function usePublicUrl(req: APIRequestContext): Promise<any> {
  const st = await api<any>(req, 'system', 'GetSettings')
  if (st.publicBaseUrl !== publicUrl()) {
    await api(req, 'system', 'SaveSettings', {
      publicListen: st.publicListen, publicBaseUrl: publicUrl(), tlsCertFile: st.tlsCertFile,
      tlsKeyFile: st.tlsKeyFile, welinkBaseUrl: st.welinkBaseUrl, oaEntries: st.oaEntries,
    })
  }
  return st
}
