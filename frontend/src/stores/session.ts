import { defineStore } from 'pinia'
import { ref } from 'vue'
import { auth, isDesktop, type AuthStatus } from '@/bridge'

/** Who is signed in to the headless admin console (always "yes" on desktop). */
export const useSession = defineStore('session', () => {
  const status = ref<AuthStatus | null>(null)
  const desktop = isDesktop()

  async function refresh(): Promise<AuthStatus> {
    status.value = await auth.status()
    return status.value
  }
  async function ensure(): Promise<AuthStatus> {
    return status.value ?? refresh()
  }
  async function login(password: string) {
    await auth.login(password)
    status.value = { passwordSet: true, authenticated: true }
  }
  async function setup(password: string) {
    await auth.setup(password)
    status.value = { passwordSet: true, authenticated: true }
  }
  async function logout() {
    await auth.logout()
    status.value = { passwordSet: true, authenticated: false }
  }
  /** The server said the session is gone. */
  function lost(code: 'unauthenticated' | 'admin.setup_required') {
    status.value = { passwordSet: code !== 'admin.setup_required', authenticated: false }
  }
  return { status, desktop, refresh, ensure, login, setup, logout, lost }
})
