// Import first in a test file that runs the delivery stack: the app's Inngest client reads
// INNGEST_DEV when it is constructed, so the engine's port must be known before any import.
import { freePort } from "../engine/support/harness";

export { freePort };

export const enginePort = await freePort();
process.env.INNGEST_DEV = `http://127.0.0.1:${enginePort}`;
