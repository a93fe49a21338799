import "server-only";
import type { PrismaClient } from "@prisma/client";
import { config } from "./config";
import { createPrismaClient } from "./db-client";

// A Turbopack production build gives route handlers and server components separate module
// graphs, so a module-level client would be created once per graph: keep one per process.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

function client(): PrismaClient {
  return (globalForPrisma.prisma ??= createPrismaClient(
    config().DATABASE_URL,
    Number(process.env.DATABASE_POOL_SIZE ?? 10),
  ));
}

// Created on first use, not at import: `next build` imports every route without a database.
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_, property) {
    const target = client();
    const value = Reflect.get(target, property);
    return typeof value === "function" ? value.bind(target) : value;
  },
});
