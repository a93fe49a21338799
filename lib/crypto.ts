// Encryption at rest for secrets we must read back (webhook signing secrets): AES-256-GCM with
// a key derived from APP_ENCRYPTION_KEY by HKDF-SHA256. Stored as `v1:<iv>:<tag>:<ciphertext>`
// (base64url); the version names the scheme and key derivation, so both can change later
// without rewriting old rows. An optional context is bound in as associated data, so a
// ciphertext copied to another row (another context) fails to decrypt.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { config } from "./config";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_SALT = "db24x7-webhooks";
const HKDF_INFO = "db24x7/encryption-at-rest/v1";

const derivedKeys = new Map<string, Buffer>();

function keyFor(masterKey: string): Buffer {
  let key = derivedKeys.get(masterKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", masterKey, HKDF_SALT, HKDF_INFO, 32));
    derivedKeys.set(masterKey, key);
  }
  return key;
}

export interface CryptoOptions {
  /** Associated data the ciphertext is bound to, e.g. `webhook_endpoint:we_…`. */
  context?: string;
  /** Defaults to APP_ENCRYPTION_KEY; tests pass their own. */
  masterKey?: string;
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptionError";
  }
}

export function encrypt(plaintext: string, options: CryptoOptions = {}): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(options.masterKey ?? config().APP_ENCRYPTION_KEY), iv);
  cipher.setAAD(Buffer.from(options.context ?? "", "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(":");
}

export function decrypt(payload: string, options: CryptoOptions = {}): string {
  const parts = payload.split(":");
  if (parts.length !== 4) throw new DecryptionError("Malformed ciphertext");
  const [version, ivText, tagText, ciphertextText] = parts;
  if (version !== VERSION) throw new DecryptionError(`Unknown ciphertext version "${version}"`);
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new DecryptionError("Malformed ciphertext");
  const decipher = createDecipheriv("aes-256-gcm", keyFor(options.masterKey ?? config().APP_ENCRYPTION_KEY), iv, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(options.context ?? "", "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError("Ciphertext failed authentication (tampered, wrong key or wrong context)");
  }
}
