import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import AppShell from '@/layouts/AppShell.vue'
import { useSession } from '@/stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title. */
    title?: string
    /** Reachable without an admin session (login, setup). */
    public?: boolean
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/auth/LoginView.vue'), meta: { public: true, title: 'auth.loginTitle' } },
  { path: '/setup', name: 'setup', component: () => import('@/views/auth/SetupView.vue'), meta: { public: true, title: 'auth.setupTitle' } },
  {
    path: '/',
    component: AppShell,
    redirect: '/dashboard',
    children: [
      { path: 'dashboard', name: 'dashboard', component: () => import('@/views/dashboard/DashboardView.vue'), meta: { title: 'nav.dashboard' } },
      { path: 'welink', name: 'welink', component: () => import('@/views/welink/WelinkView.vue'), meta: { title: 'nav.welink' } },
      { path: 'welink/:corpId/apps/new', name: 'app-new', component: () => import('@/views/welink/AppDetailView.vue'), props: true, meta: { title: 'app.newTitle' } },
      { path: 'welink/:corpId/apps/:appId', name: 'app-detail', component: () => import('@/views/welink/AppDetailView.vue'), props: true, meta: { title: 'app.detailTitle' } },
      { path: 'sync', name: 'sync', component: () => import('@/views/sync/SyncView.vue'), meta: { title: 'nav.sync' } },
      { path: 'binding', name: 'binding', component: () => import('@/views/binding/BindingView.vue'), meta: { title: 'nav.binding' } },
      { path: 'push', name: 'push', component: () => import('@/views/push/PushView.vue'), meta: { title: 'nav.push' } },
      { path: 'qrlogin', name: 'qrlogin', component: () => import('@/views/qrlogin/QRLoginView.vue'), meta: { title: 'nav.qrlogin' } },
      { path: 'system', name: 'system', component: () => import('@/views/system/SystemView.vue'), meta: { title: 'nav.system' } },
      { path: 'logs', name: 'logs', component: () => import('@/views/logs/LogsView.vue'), meta: { title: 'nav.logs' } },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/dashboard' },
]

export function makeRouter() {
  const router = createRouter({ history: createWebHashHistory(), routes })

  // Headless mode: first run → set the admin password; no session → sign in.
  router.beforeEach(async (to) => {
    const session = useSession()
    if (session.desktop) return to.meta.public ? { name: 'dashboard' } : true
    let status
    try {
      status = await session.ensure()
    } catch {
      // Server unreachable: let the page render and show its own error.
      return true
    }
    if (!status.passwordSet) return to.name === 'setup' ? true : { name: 'setup' }
    if (!status.authenticated) {
      if (to.name === 'login') return true
      return { name: 'login', query: to.fullPath !== '/' && to.name !== 'setup' ? { redirect: to.fullPath } : {} }
    }
    if (to.meta.public) return { name: 'dashboard' }
    return true
  })
  return router
}
