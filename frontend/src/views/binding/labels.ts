// Label helpers shared by the binding panels.
import type { Composer } from 'vue-i18n'

type T = Composer['t']

export function methodLabel(t: T, m: string | undefined): string {
  if (!m) return ''
  const key = `binding.methods.${m}`
  const s = t(key)
  return s === key ? m : s
}

export function welinkFieldLabel(t: T, f: string): string {
  const key = `binding.welinkFields.${f}`
  const s = t(key)
  return s === key ? f : s
}

export function oaFieldLabel(t: T, f: string): string {
  const key = `binding.oaFields.${f}`
  const s = t(key)
  return s === key ? f : s
}

/** Tag colour per binding method. */
export function methodType(m: string | undefined): 'default' | 'success' | 'info' | 'warning' | 'error' {
  switch (m) {
    case 'manual':
      return 'info'
    case 'rule':
      return 'success'
    case 'import':
      return 'warning'
    case 'selfservice':
      return 'success'
    default:
      return 'default'
  }
}
