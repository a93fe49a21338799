import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";

// Prisma's defaults (2 s to get a connection, 5 s to finish) fail interactive transactions
// under load: a delivery attempt then loses its record after the request was sent, and the
// step's retry sends it again; a publish answers 500. Wait for the pool instead.
const transactionOptions = { maxWait: 15_000, timeout: 30_000 };

export function createPrismaClient(databaseUrl: string, poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }), transactionOptions });
}

/**
 * Prisma and, under it, its pg pool: the few statements on the delivery path run on the pool
 * directly, where Prisma's own per-query CPU would be most of the work (BENCH_PROFILE=1 on
 * `npm run bench` shows where it goes).
 */
export function createDatabase(databaseUrl: string, poolSize = 10): { prisma: PrismaClient; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  return { prisma: new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions }), pool };
}
