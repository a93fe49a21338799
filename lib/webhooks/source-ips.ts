import { setting } from "../config";

// The documented IP allowlist. Operators set the addresses their deployment really sends from.
export const DOCUMENTED_SOURCE_IPS = ["52.203.45.67", "52.203.45.68", "52.203.45.69", "52.203.45.70"];

/** WEBHOOK_SOURCE_IPS (comma-separated IPs or CIDRs), else the documented four. */
export function webhookSourceIps(env: NodeJS.ProcessEnv = process.env): string[] {
  return setting("WEBHOOK_SOURCE_IPS", env) ?? DOCUMENTED_SOURCE_IPS;
}
