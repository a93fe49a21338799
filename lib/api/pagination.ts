import { z } from "zod";
import { ApiError } from "./errors";

// Cursor pagination over (created_at desc, id desc): the cursor is the last row's key, opaque.
export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export interface CursorKey {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: CursorKey): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): CursorKey {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso ?? "");
  // Cursors carry our own ids and timestamps: anything else (NUL, dates PostgreSQL cannot hold)
  // would otherwise fail in the database.
  const year = createdAt.getUTCFullYear();
  if (!id || Number.isNaN(createdAt.getTime()) || year < 1970 || year > 9999 || id.includes("\u0000")) {
    throw new ApiError(400, "invalid_cursor", "The cursor is not valid; start again without one");
  }
  return { createdAt, id };
}

/** The `where` that continues after the cursor row, newest first. */
export function afterCursor(cursor: string | undefined) {
  if (!cursor) return {};
  const { createdAt, id } = decodeCursor(cursor);
  // The `lte` says the same as the OR, but as a range the (…, created_at) indexes can start
  // from: without it a page deep in a long history reads every newer row to reach its first.
  return { createdAt: { lte: createdAt }, OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] };
}

export const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/** Fetch limit + 1 rows, then call this to split off the page and its next cursor. */
export function page<T extends CursorKey>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const pageRows = rows.slice(0, limit);
  return { rows: pageRows, nextCursor: encodeCursor(pageRows[pageRows.length - 1]) };
}
