import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The PostgreSQL URL test/global-setup.ts prepared (PGlite or TEST_DATABASE_URL). */
    databaseUrl: string;
  }
}
