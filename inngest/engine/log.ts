// One JSON object per line. Callers pass identifiers and states, never payload data.
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type Logger = (level: "info" | "warn" | "error", msg: string, fields?: LogFields) => void;

export const stdoutLogger: Logger = (level, msg, fields) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
};
