/**
 * The one definition of a date and a date-time for the whole platform: what `new Date()` and Postgres (`date`,
 * `timestamptz`) both accept. Route schemas (`format: 'date-time'`), cursors and sort keys check against it.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MIN_TIME = Date.parse('0001-01-01T00:00:00Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/**
 * RFC 3339 date-time that both `new Date()` and Postgres `timestamptz` accept: `T` separator, seconds required,
 * `Z` or a `±hh:mm` offset, years 0001–9999 (also after applying the offset), no leap second (`:60`).
 */
export function isDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, , oh, om] = m;
  if (!validCalendarDate(Number(y), Number(mo), Number(d))) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return false;
  const time = Date.parse(value);
  return Number.isFinite(time) && time >= MIN_TIME && time <= MAX_TIME;
}

/** RFC 3339 full-date with a real calendar day and a year 0001–9999. */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  return !!m && validCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}
