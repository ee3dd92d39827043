// Waits for CloudBridge to come back after a restart it asked for (restore,
// key rotation) and reloads the page. In the desktop window the process
// replaces itself and the window with it, so there is nothing to poll.
import { isDesktop } from '@/bridge/core'

async function status(): Promise<{ authenticated?: boolean } | null> {
  try {
    const res = await fetch('/api/auth/status', { headers: { 'X-CloudBridge': '1' }, cache: 'no-store' })
    return res.ok ? await res.json() : null
  } catch {
    return null
  }
}

/**
 * Resolves true once a new process answers (the old one went away: a failed
 * request, or sessions gone — they live in memory), false after timeoutMs.
 */
export async function waitForRestart(timeoutMs = 180_000, stepMs = 700): Promise<boolean> {
  if (isDesktop()) return new Promise(() => {}) // the window restarts with the process
  const deadline = Date.now() + timeoutMs
  let wentAway = false
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, stepMs))
    const s = await status()
    if (!s) wentAway = true
    else if (wentAway || s.authenticated === false) return true
  }
  return false
}
