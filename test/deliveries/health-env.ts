// Import first in test/deliveries/health.test.ts: the delivery settings are read once, so these
// must be set before anything reads them.
process.env.WEBHOOK_FAILING_AFTER = "3";
process.env.WEBHOOK_AUTO_DISABLE_AFTER = "1h";
