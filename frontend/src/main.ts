import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n, setLocale } from './i18n'
import { makeRouter } from './router'
import { onUnauthorized } from './bridge'
import { syncTrayLanguage } from './bridge/platform'
import { useSession } from './stores/session'
import './styles.css'

const app = createApp(App)
const pinia = createPinia()
const router = makeRouter()
app.use(pinia).use(i18n).use(router)
setLocale(i18n.global.locale.value)
// The desktop tray menu speaks the UI's language.
watch(i18n.global.locale, (l) => void syncTrayLanguage(l), { immediate: true })

// The headless server ended the session (expired, logged out elsewhere, restarted).
onUnauthorized((code) => {
  useSession(pinia).lost(code)
  const current = router.currentRoute.value
  if (current.meta.public) return
  void router.push(
    code === 'admin.setup_required' ? { name: 'setup' } : { name: 'login', query: { redirect: current.fullPath } },
  )
})

app.mount('#app')
