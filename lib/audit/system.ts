import type { Caller } from "../auth/caller";

/** The actor for changes the product makes by itself (e.g. disabling a failing endpoint). */
export const SYSTEM_CALLER = (accountId: string): Caller => ({
  accountId,
  role: "owner",
  actor: { type: "system", id: "system", label: "DB24x7 (automatic)" },
});
