/**
 * The `expires` date-time (spec §4.1 "Date-time": `YYYY-MM-DDTHH:MM:SSZ`, UTC).
 */
import { DeserializationError, ValueError } from '../errors.js';

const STRICT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
// RFC 3339 date-time: fractional seconds and numeric offsets, as go-tuf and older tools wrote it.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A parsed `expires`: the instant, and the text when it is not in the spec's form. */
export interface ParsedExpires {
  readonly date: Date;
  /** The original text when it had to be read leniently (kept so signed bytes stay intact). */
  readonly nonStandard?: string;
}

/**
 * Parse an `expires` value. The strict form is the spec's; `lenient` also accepts RFC 3339
 * with fractional seconds (dropped, never rounded up: a date read leniently never expires
 * later than written) and UTC offsets.
 * @throws {@link DeserializationError} naming the value.
 */
export function parseExpires(text: string, path: string, lenient: boolean): ParsedExpires {
  const strict = STRICT.exec(text);
  if (strict) return { date: toDate(strict, 'Z', text, path) };
  const loose = lenient ? RFC3339.exec(text) : null;
  if (loose) return { date: toDate(loose, loose[8] as string, text, path), nonStandard: text };
  throw new DeserializationError(
    `${path}: ${JSON.stringify(text)} is not in the form YYYY-MM-DDTHH:MM:SSZ` +
      (lenient ? ' (nor RFC 3339)' : ' (the lenient parse also reads RFC 3339 forms)'),
  );
}

function toDate(m: RegExpExecArray, zone: string, text: string, path: string): Date {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  let time = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(time);
  if (
    year < 1 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new DeserializationError(`${path}: ${JSON.stringify(text)} is not a valid date-time`);
  }
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh, om] = zone.slice(1).split(':').map(Number) as [number, number];
    time -= sign * (oh * 60 + om) * 60_000;
  }
  return new Date(time);
}

/** Write `date` in the spec's form, whole seconds (sub-second parts are dropped). */
export function formatExpires(date: Date): string {
  checkDate(date, 'expires');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Throw unless `date` is a valid date in years 1–9999. */
export function checkDate(date: Date, what: string): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new ValueError(`${what}: not a valid date`);
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) throw new ValueError(`${what}: year ${year} is outside 1–9999`);
}

/** `date` with the sub-second part dropped. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
