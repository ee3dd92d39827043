// Shared label helpers of the push screens.
import type { Composer } from 'vue-i18n'

type T = Composer['t']

/** The label of a rule's message source. */
export function sourceLabel(t: T, source: string): string {
  if (source === 'todo') return t('push.sourceTodo')
  if (source === 'all') return t('push.sourceAll')
  return t('push.sourceModule', { name: source })
}

export function typeLabel(t: T, type: string): string {
  if (type === 'notice') return t('push.typeNotice')
  if (type === 'todo') return t('push.typeTodo')
  if (type === 'card') return t('push.typeCard')
  return type
}

export const statusTagType: Record<string, 'default' | 'info' | 'success' | 'warning' | 'error'> = {
  queued: 'info',
  sending: 'info',
  retrying: 'warning',
  not_bound: 'warning',
  delivered: 'success',
  dead: 'error',
  uncertain: 'error',
}
