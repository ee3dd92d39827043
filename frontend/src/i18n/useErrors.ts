import { useI18n } from 'vue-i18n'
import { useMessage } from 'naive-ui'
import { errorText } from './errors'

/** errorText bound to the current locale, plus a toast for failed actions. */
export function useErrors() {
  const i18n = useI18n()
  const message = useMessage()
  const text = (err: unknown) => errorText(i18n, err)
  const toast = (err: unknown) => {
    message.error(text(err), { duration: 6000, closable: true })
  }
  return { errorText: text, toastError: toast }
}
