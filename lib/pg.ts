// The app's pg helpers are the engine's: one copy, kept in the engine so that the engine
// imports nothing from lib/ (inngest/engine/pg.ts depends on node and pg only).
export { preparedQuery, withTransaction } from "../inngest/engine/pg";
