// Import first: webhooks may target only public addresses, as in production.
process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "0";
export {};
