import { isIP } from "node:net";

// The documented IP allowlist. Operators set the addresses their deployment really sends from.
export const DOCUMENTED_SOURCE_IPS = ["52.203.45.67", "52.203.45.68", "52.203.45.69", "52.203.45.70"];

/** WEBHOOK_SOURCE_IPS (comma-separated IPs or CIDRs), else the documented four. */
export function webhookSourceIps(env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = (env.WEBHOOK_SOURCE_IPS ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => isIP(entry.split("/")[0]) !== 0);
  return configured.length > 0 ? configured : DOCUMENTED_SOURCE_IPS;
}
