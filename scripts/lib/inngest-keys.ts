// The keys the embedded engine and the functions share under `npm start`: the signing key
// (INNGEST_SIGNING_KEY when given, else generated on first start and kept, encrypted with
// APP_ENCRYPTION_KEY, in the database with the rest of the data) and the event key derived
// from it.
import { createHmac, randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { decrypt, DecryptionError, encrypt } from "../../lib/crypto";

const NAME = "inngest_signing_key";
// Inngest's format, which the SDK expects: signkey-<environment>-<hex>.
const SIGNING_KEY = /^signkey-\w+-[0-9a-f]{32,}$/i;

export class SigningKeyError extends Error {}

export interface InngestKeys {
  signingKey: string;
  eventKey: string;
  /** Where the signing key came from. */
  source: "environment" | "database" | "generated";
}

export async function inngestKeys(prisma: PrismaClient, options: { given?: string; masterKey: string }): Promise<InngestKeys> {
  if (options.given) {
    if (!SIGNING_KEY.test(options.given)) {
      throw new SigningKeyError("INNGEST_SIGNING_KEY must look like signkey-<env>-<hex> (e.g. signkey-prod- and 64 hex digits)");
    }
    return { signingKey: options.given, eventKey: eventKeyFor(options.given), source: "environment" };
  }
  const context = `instance_secret:${NAME}`;
  const generated = `signkey-prod-${randomBytes(32).toString("hex")}`;
  // Two launchers starting at once on one database keep whichever key was stored first.
  const { count } = await prisma.instanceSecret.createMany({
    data: [{ name: NAME, valueEncrypted: encrypt(generated, { masterKey: options.masterKey, context }) }],
    skipDuplicates: true,
  });
  const stored = await prisma.instanceSecret.findUniqueOrThrow({ where: { name: NAME } });
  let signingKey: string;
  try {
    signingKey = decrypt(stored.valueEncrypted, { masterKey: options.masterKey, context });
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    throw new SigningKeyError(
      "The stored Inngest signing key cannot be decrypted with this APP_ENCRYPTION_KEY (was it changed?). " +
        `Set INNGEST_SIGNING_KEY, or delete the row '${NAME}' from instance_secrets to have a new key generated.`,
    );
  }
  return { signingKey, eventKey: eventKeyFor(signingKey), source: count === 1 ? "generated" : "database" };
}

/** The event key, derived so that only one secret needs keeping. */
export function eventKeyFor(signingKey: string): string {
  return createHmac("sha256", signingKey).update("db24x7/inngest-event-key").digest("hex");
}
