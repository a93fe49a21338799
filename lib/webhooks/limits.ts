// Limits and choices shared by the server and the dashboard (no Node imports here).
export const MAX_URL_LENGTH = 2048;
export const MAX_GRACE_PERIOD_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_PERIOD_SECONDS = 24 * 3600;

/** The grace periods the dashboard offers when rolling a secret; the API takes any 0..7 days. */
export const GRACE_PERIOD_CHOICES = [
  { seconds: 0, label: "None — switch immediately" },
  { seconds: 3600, label: "1 hour" },
  { seconds: DEFAULT_GRACE_PERIOD_SECONDS, label: "24 hours" },
  { seconds: MAX_GRACE_PERIOD_SECONDS, label: "7 days" },
] as const;
