import { computed, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { tenant, type Corp } from '@/bridge/tenant'

// The corp the admin last worked on, shared by every per-corp screen
// (WeLink集成, 组织架构同步, 用户绑定): a link's ?corp= wins, then the
// remembered one, then the first corp.
const KEY = 'cloudbridge.corp'

export function pickCorp(corps: { id: string }[], ...preferred: (string | null | undefined)[]): string | null {
  const wanted = [...preferred, localStorage.getItem(KEY) ?? undefined]
  return wanted.find((id) => id && corps.some((c) => c.id === id)) ?? corps[0]?.id ?? null
}

export function rememberCorp(id: string | null): void {
  if (id) localStorage.setItem(KEY, id)
}

export function forgetCorp(): void {
  localStorage.removeItem(KEY)
}

/**
 * The corp picker of a per-corp screen: loads the corps, picks one with
 * pickCorp, remembers the choice and keeps it in the address (?corp=).
 * A failed load goes to onError.
 */
export function useCorpChoice(onError: (e: unknown) => void) {
  const route = useRoute()
  const router = useRouter()
  const corps = ref<Corp[]>([])
  const corpId = ref<string | null>(null)
  const corpOptions = computed(() => corps.value.map((c) => ({ label: c.name, value: c.id })))

  async function loadCorps() {
    try {
      corps.value = await tenant.listCorps()
    } catch (e) {
      onError(e)
      return
    }
    selectCorp(pickCorp(corps.value, route.query.corp as string | undefined))
  }

  function selectCorp(id: string | null) {
    corpId.value = id
    rememberCorp(id)
    void router.replace({ query: { ...route.query, corp: id ?? undefined } })
  }

  return { corps, corpId, corpOptions, loadCorps, selectCorp }
}
