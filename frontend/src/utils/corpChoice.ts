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
