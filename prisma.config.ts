// Prisma CLI configuration: the JavaScript schema engine over node-postgres, so no engine
// binary is downloaded (Prisma 6.19; Prisma 7's CLI would fetch one).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

const databaseUrl = process.env.DATABASE_URL;
// `prisma generate` (postinstall, build) needs the schema's url to resolve even though it never
// connects; unresolved, it tries to download a query engine. Commands that connect still
// require a real DATABASE_URL (adapterFor below).
process.env.DATABASE_URL ||= "postgresql://unset@127.0.0.1:1/unset";

// Workaround for prisma/orm#27403 ("Column type 'name' could not be deserialized"): the wasm
// schema engine's catalog queries return PostgreSQL catalog types that adapter-pg cannot decode.
// Report them as the text types they print as. Remove once Prisma decodes them itself.
const CATALOG_TYPE_AS = new Map<number, number>([
  [19, 25], // name -> text
  [18, 1042], // "char" -> character
  [2205, 25], // regclass -> text
  [24, 25], // regproc -> text
  [26, 25], // oid -> text... kept numeric-looking text, read back as a string
  [1003, 1009], // name[] -> text[]
  [194, 25], // pg_node_tree -> text
]);

type QueryResultLike = { fields?: { dataTypeID: number }[] };

function retypeCatalogColumns<T>(result: T): T {
  for (const field of (result as QueryResultLike).fields ?? []) {
    field.dataTypeID = CATALOG_TYPE_AS.get(field.dataTypeID) ?? field.dataTypeID;
  }
  return result;
}

function wrapQueryable<Q extends { query: (...args: never[]) => unknown }>(target: Q): Q {
  const query = target.query.bind(target) as (...args: unknown[]) => unknown;
  (target as { query: unknown }).query = (...args: unknown[]) => {
    const last = args.at(-1);
    if (typeof last === "function") {
      // Callback style (pg.Pool.query calls its client this way).
      args[args.length - 1] = (err: unknown, result: unknown) =>
        last(err, err ? result : retypeCatalogColumns(result));
      return query(...args);
    }
    const out = query(...args);
    return out instanceof Promise ? out.then(retypeCatalogColumns) : out;
  };
  return target;
}

class CatalogFriendlyPool extends pg.Pool {
  constructor(config: pg.PoolConfig) {
    super(config);
    wrapQueryable(this);
    this.on("connect", (client) => void wrapQueryable(client));
  }
}

function adapterFor(url: string | undefined) {
  if (!url) throw new Error("DATABASE_URL is not set");
  // The CLI never closes its pool; let the process exit when it goes idle.
  return new PrismaPg(new CatalogFriendlyPool({ connectionString: url, allowExitOnIdle: true, max: 3 }));
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "node --import tsx prisma/seed.ts" },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    return adapterFor(databaseUrl);
  },
});
