// Standard 5-field cron schedules, evaluated in UTC. Kept behind `CronSchedule` so a library
// (e.g. croner) can replace it without touching the scheduler.
export interface CronSchedule {
  /** The first matching minute strictly after `after`. */
  next(after: Date): Date;
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  values: Set<number>;
  restricted: boolean;
}

function parseField(text: string, min: number, max: number, names: string[] = [], nameBase = 0): Field {
  const values = new Set<number>();
  const value = (token: string) => {
    const named = names.indexOf(token.toUpperCase());
    const n = named >= 0 ? named + nameBase : Number(token);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`"${token}" is out of range`);
    return n;
  };
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in "${part}"`);
    let low = min;
    let high = max;
    if (range !== "*") {
      const [a, b] = range!.split("-");
      low = value(a!);
      high = b === undefined ? (stepText === undefined ? low : max) : value(b);
    }
    for (let n = low; n <= high; n += step) values.add(n);
  }
  return { values, restricted: text !== "*" };
}

/** Throws with a readable message when the expression is not a supported UTC cron. */
export function parseCron(expression: string): CronSchedule {
  let text = expression.trim();
  const tz = /^(?:CRON_)?TZ=(\S+)\s+/.exec(text);
  if (tz) {
    if (tz[1] !== "UTC" && tz[1] !== "Etc/UTC") throw new Error(`time zone ${tz[1]} (only UTC)`);
    text = text.slice(tz[0].length);
  }
  text = MACROS[text] ?? text;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new Error(`"${expression}" must have 5 fields`);
  const minute = parseField(parts[0]!, 0, 59);
  const hour = parseField(parts[1]!, 0, 23);
  const dom = parseField(parts[2]!, 1, 31);
  const month = parseField(parts[3]!, 1, 12, MONTHS, 1);
  const dowRaw = parseField(parts[4]!, 0, 7, DAYS);
  const dow: Field = { values: new Set([...dowRaw.values].map((d) => d % 7)), restricted: dowRaw.restricted };

  // Vixie cron: when both day fields are restricted, either one matching is enough.
  const dayMatches = (d: Date) => {
    const byDom = dom.values.has(d.getUTCDate());
    const byDow = dow.values.has(d.getUTCDay());
    if (dom.restricted && dow.restricted) return byDom || byDow;
    return byDom && byDow;
  };

  return {
    next(after) {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      const limit = after.getTime() + 5 * 366 * 86_400_000;
      while (t.getTime() < limit) {
        if (!month.values.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0);
        } else if (!dayMatches(t)) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0);
        } else if (!hour.values.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0);
        } else if (!minute.values.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1);
        } else {
          return t;
        }
      }
      throw new Error(`cron "${expression}" never matches`);
    },
  };
}
