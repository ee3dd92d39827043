// Rendering catalogue errors ({code, params}) as translated text.
import { AppError, toAppError, type ErrorPayload } from '@/bridge/core'

/** The part of a vue-i18n composer errorText needs (useI18n() or i18n.global). */
export interface Translator {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  t: (key: any, named?: any) => string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  te: (key: any) => boolean
}

/**
 * The message for an error: key "errors.<code>" with {param} interpolation.
 * A "field" parameter naming a known UI field is shown by its label.
 * Unknown codes fall back to a generic line that still shows the code.
 */
export function errorText(i18n: Translator, err: unknown): string {
  const e: ErrorPayload =
    err instanceof AppError ? err : err && typeof err === 'object' && 'code' in err ? (err as ErrorPayload) : toAppError(err)
  const params: Record<string, string> = { ...(e.params ?? {}) }
  if (params.field && i18n.te(`fields.${params.field}`)) {
    params.field = i18n.t(`fields.${params.field}`)
  }
  const key = `errors.${e.code}`
  if (e.code && i18n.te(key)) return i18n.t(key, params)
  return i18n.t('common.unknownError', { code: e.code || '?' })
}
