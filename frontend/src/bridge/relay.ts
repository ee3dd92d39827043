// Typed wrappers over the Go "relay" service (backend/relay): push rules,
// the OA systems allowed to push, the message log, resend and figures.
// The intake endpoints themselves are on the public listener.
import { call, type ErrorPayload } from './core'

const pkg = 'relay'

export type TargetType = 'notice' | 'todo' | 'card'
/** 'todo', 'all' or an OA module name. */
export type RuleSource = string

export interface Target {
  id: string
  platform: 'welink'
  corpId: string
  appId: string
  type: TargetType
}

export interface TargetView extends Target {
  corpName: string
  appName: string
}

export interface Rule {
  id: string
  name: string
  enabled: boolean
  source: RuleSource
  targets: TargetView[]
  createdAt: string
  updatedAt: string
}

export interface RuleInput {
  id: string
  name: string
  enabled: boolean
  source: RuleSource
  targets: Target[]
}

export interface Module {
  name: string
  seen: number
  last?: string
  known: boolean
}

export interface DefaultRuleOffer {
  appId: string
  offer: boolean
  ruleId?: string
  ruleName?: string
}

export type AuthMode = 'none' | 'secret' | 'hmac'
export type PersonRule = 'auto' | 'id' | 'loginid' | 'workcode'

export interface OASystem {
  id: string
  name: string
  syscode: string
  enabled: boolean
  allowedIps: string[]
  authMode: AuthMode
  /** The secret never leaves the Go side. */
  secretSet: boolean
  personRule: PersonRule
  createdAt: string
  updatedAt: string
}

export interface OASystemInput {
  id: string
  name: string
  syscode: string
  enabled: boolean
  allowedIps: string[]
  authMode: AuthMode
  /** "" keeps the stored secret. */
  secret: string
  personRule: PersonRule
}

export interface IntakeInfo {
  baseUrl: string
  ofsUrl: string
  jsonUrl: string
  ops: string[]
  headers: string[]
  maxSkewS: number
  maxBodyMb: number
}

export interface RelayConfig {
  bindWindowHours: number
  maxAttempts: number
  retentionDays: number
  resendUncertain: boolean
}

export type DeliveryStatus = 'queued' | 'sending' | 'retrying' | 'not_bound' | 'delivered' | 'dead' | 'uncertain'

export const STATUSES: DeliveryStatus[] = ['queued', 'sending', 'retrying', 'not_bound', 'delivered', 'dead', 'uncertain']

export interface LogQuery {
  status: string
  source: string
  receiver: string
  text: string
  appId: string
  type: string
  /** RFC 3339 or "" */
  from?: string
  to?: string
  offset: number
  limit: number
}

export interface LogRow {
  id: string
  title: string
  module: string
  syscode: string
  flowid: string
  receiver: string
  userId?: string
  appId: string
  appName: string
  type: TargetType
  status: DeliveryStatus
  reason?: ErrorPayload
  calls: number
  attempts: number
  nextAt?: string
  createdAt: string
  updatedAt: string
}

export interface LogPage {
  rows: LogRow[]
  total: number
  counts: Record<string, number>
}

export interface TimelineEvent {
  at: string
  kind: string
  op?: string
  version?: number
  code?: string
  error?: ErrorPayload
  ms?: number
  detail?: string
}

export interface Item {
  id: string
  syscode: string
  flowid: string
  receiver: string
  kind: 'todo' | 'message'
  module: string
  state: string
  read: boolean
  title: string
  content?: string
  workflow?: string
  node?: string
  creator?: string
  sender?: string
  pcUrl?: string
  appUrl?: string
  receivets?: number
  version: number
  op: string
  via: string
  received: string
  updatedAt: string
}

export interface DeliveryDetail extends LogRow {
  taskId?: string
  present: boolean
  cardIds?: string[]
  item: Item
  events: TimelineEvent[]
  ruleName?: string
  siblings: LogRow[]
}

export interface ResendResult {
  queued: number
  skipped: number
}

export interface HourFigures {
  hour: string
  received: number
  delivered: number
  failed: number
  dead: number
  calls: number
}

export interface Figures {
  hours: HourFigures[]
  status: Record<string, number>
  rules: number
  active: number
}

/** A Go time that is present (not the zero time). */
export function hasTime(t?: string): boolean {
  return !!t && !t.startsWith('0001-01-01')
}

export const relay = {
  listRules: () => call<Rule[]>(pkg, 'ListRules'),
  saveRule: (r: RuleInput) => call<Rule>(pkg, 'SaveRule', r),
  setRuleEnabled: (id: string, enabled: boolean) => call<Rule>(pkg, 'SetRuleEnabled', id, enabled),
  deleteRule: (id: string) => call<void>(pkg, 'DeleteRule', id),
  modules: () => call<Module[]>(pkg, 'Modules'),
  defaultRuleFor: (appId: string) => call<DefaultRuleOffer>(pkg, 'DefaultRuleFor', appId),
  createDefaultRule: (appId: string) => call<Rule>(pkg, 'CreateDefaultRule', appId),

  listOASystems: () => call<OASystem[]>(pkg, 'ListOASystems'),
  saveOASystem: (s: OASystemInput) => call<OASystem>(pkg, 'SaveOASystem', s),
  deleteOASystem: (id: string) => call<void>(pkg, 'DeleteOASystem', id),
  intakeInfo: () => call<IntakeInfo>(pkg, 'IntakeInfo'),
  getConfig: () => call<RelayConfig>(pkg, 'GetConfig'),
  saveConfig: (c: RelayConfig) => call<RelayConfig>(pkg, 'SaveConfig', c),

  listDeliveries: (q: LogQuery) => call<LogPage>(pkg, 'ListDeliveries', normQuery(q)),
  getDelivery: (id: string) => call<DeliveryDetail>(pkg, 'GetDelivery', id),
  resend: (ids: string[]) => call<ResendResult>(pkg, 'Resend', ids),
  resendFiltered: (q: LogQuery) => call<ResendResult>(pkg, 'ResendFiltered', normQuery(q)),
  stats: (hours: number) => call<Figures>(pkg, 'Stats', hours),
}

/** Go's time.Time wants RFC 3339 or its zero value; "" is neither. */
function normQuery(q: LogQuery): LogQuery {
  const zero = '0001-01-01T00:00:00Z'
  return { ...q, from: q.from || zero, to: q.to || zero }
}
