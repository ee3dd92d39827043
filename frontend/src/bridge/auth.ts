// Admin login for the headless server. The desktop window needs none.
import { httpJSON, isDesktop } from './core'

export interface AuthStatus {
  passwordSet: boolean
  authenticated: boolean
}

/** Minimum admin password length (the Go side enforces it too: admin.password_weak). */
export const MIN_PASSWORD = 10

export const auth = {
  status: async (): Promise<AuthStatus> =>
    isDesktop() ? { passwordSet: true, authenticated: true } : httpJSON<AuthStatus>('/api/auth/status'),
  setup: (password: string) => httpJSON<unknown>('/api/auth/setup', { method: 'POST', body: { password } }),
  login: (password: string) => httpJSON<unknown>('/api/auth/login', { method: 'POST', body: { password } }),
  logout: () => httpJSON<unknown>('/api/auth/logout', { method: 'POST' }),
}
