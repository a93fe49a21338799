import type { Role } from "@prisma/client";

const RANK: Record<Role, number> = { viewer: 0, admin: 1, owner: 2 };

export function hasRole(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}
