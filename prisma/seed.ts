// `npx prisma db seed`: the demo account (scripts/run.ts does the same on first start).
import { seedDemoAccount, DEMO_LOGIN } from "../lib/accounts/demo";
import { createPrismaClient } from "../lib/db-client";

const prisma = createPrismaClient(process.env.DATABASE_URL ?? "", 2);
const seeded = await seedDemoAccount(prisma);
console.log(seeded ? `Seeded demo account: ${DEMO_LOGIN.email}` : "Demo account already present");
await prisma.$disconnect();
