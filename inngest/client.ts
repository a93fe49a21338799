import { Inngest } from "inngest";
import { nodeFetch } from "./node-fetch";

// Which executor runs our functions is configuration only: INNGEST_DEV=<url> for the embedded
// engine or `inngest-cli dev`; INNGEST_SIGNING_KEY + INNGEST_EVENT_KEY for Inngest Cloud or
// self-hosted Inngest (with INNGEST_BASE_URL).
export const inngest = new Inngest({ id: "db24x7-webhooks", fetch: nodeFetch });
