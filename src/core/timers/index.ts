/** Timer triggers (IntervalTimer, DateTimer, CronTimer): parameters, next fire times, payloads. */

export { type CronSchedule, compileCron, nextCronTime } from "./cron.ts";
export type { CronFieldName } from "./cron-fields.ts";
export { CRON_FIELDS } from "./cron-fields.ts";
export { parseTimerDate } from "./date-parse.ts";
export { pythonUtcString, type TimerPayload, timerPayload, timerTraceTag } from "./payload.ts";
export {
  CRON_TIMER,
  DATE_TIMER,
  INTERVAL_TIMER,
  INTERVAL_UNITS,
  type IntervalUnit,
  isTimerType,
  nextFireTime,
  type ParseTimerOptions,
  parseTimerSpec,
  TIMER_TYPES,
  type TimerSpec,
} from "./spec.ts";
export { checkTimeZone, fromInstant, toInstant, type Wall } from "./zone.ts";
