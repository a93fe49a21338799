import "server-only";
import { randomBytes } from "node:crypto";
import type { ApiKey } from "@prisma/client";
import { notFound } from "../api/errors";
import { afterCursor, newestFirst, page } from "../api/pagination";
import { auditEntry } from "../audit/record";
import { hashApiKey, type Caller } from "../auth/caller";
import { db } from "../db";
import { newId } from "../ids";
import { apiKeyOutput, type ApiKeyOutput, type CreateApiKeyInput } from "./schemas";

const KEY_PREFIX = "db24x7_sk_";

function toOutput(key: ApiKey): ApiKeyOutput {
  return apiKeyOutput.parse({
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  });
}

export async function createApiKey(caller: Caller, input: CreateApiKeyInput) {
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  const id = newId("key");
  const expiresAt = input.expires_in_days
    ? new Date(Date.now() + input.expires_in_days * 86_400_000)
    : null;
  const [created] = await db.$transaction([
    db.apiKey.create({
      data: {
        id,
        accountId: caller.accountId,
        name: input.name,
        prefix: key.slice(0, KEY_PREFIX.length + 6),
        keyHash: hashApiKey(key),
        role: input.role,
        createdById: caller.actor.id,
        expiresAt,
      },
    }),
    db.auditLogEntry.create({
      data: auditEntry(caller, "api_key.created", { type: "api_key", id }, { name: input.name, role: input.role }),
    }),
  ]);
  return { ...toOutput(created), key };
}

export async function listApiKeys(caller: Caller, query: { limit: number; cursor?: string }) {
  const rows = await db.apiKey.findMany({
    where: { accountId: caller.accountId, ...afterCursor(query.cursor) },
    orderBy: newestFirst,
    take: query.limit + 1,
  });
  const result = page(rows, query.limit);
  return { data: result.rows.map(toOutput), next_cursor: result.nextCursor };
}

export async function revokeApiKey(caller: Caller, apiKeyId: string) {
  return db.$transaction(async (tx) => {
    const { count } = await tx.apiKey.updateMany({
      where: { id: apiKeyId, accountId: caller.accountId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const key = await tx.apiKey.findFirst({ where: { id: apiKeyId, accountId: caller.accountId } });
    if (!key) throw notFound("API key");
    if (count > 0) {
      await tx.auditLogEntry.create({ data: auditEntry(caller, "api_key.revoked", { type: "api_key", id: key.id }) });
    }
    return toOutput(key);
  });
}
