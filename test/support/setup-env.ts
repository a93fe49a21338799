// Runs in each test worker before its test file is imported: lib/ reads DATABASE_URL once.
import { inject } from "vitest";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATABASE_POOL_SIZE ??= "3";
