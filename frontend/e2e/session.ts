// Shared by the area specs: the server is started once per run (global
// setup), so whichever spec comes first sets the admin password and the
// others sign in. 01-console.spec.ts runs first and tests the setup page.
import type { Page } from '@playwright/test'

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
