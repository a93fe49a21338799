import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";

export function createPrismaClient(databaseUrl: string, poolSize = 10): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }),
    // Prisma's defaults (2 s to get a connection, 5 s to finish) fail interactive transactions
    // under load: a delivery attempt then loses its record after the request was sent, and the
    // step's retry sends it again; a publish answers 500. Wait for the pool instead.
    transactionOptions: { maxWait: 15_000, timeout: 30_000 },
  });
}
