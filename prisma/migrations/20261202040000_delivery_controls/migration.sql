-- Delivery controls per endpoint (issue 14): a payload filter (CEL, checked on write), a rate
-- limit, and custom headers (a JSON object, encrypted like signing secrets).
ALTER TABLE "webhook_endpoints" ADD COLUMN "filter" TEXT;
ALTER TABLE "webhook_endpoints" ADD COLUMN "rate_limit_per_second" INTEGER;
ALTER TABLE "webhook_endpoints" ADD COLUMN "headers_encrypted" TEXT;
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_rate_limit_check"
  CHECK ("rate_limit_per_second" BETWEEN 1 AND 1000);
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_filter_length_check"
  CHECK (octet_length("filter") BETWEEN 1 AND 1024);

-- A delivery made for an event published while its endpoint was disabled: kept, never
-- attempted, so re-enabling or a recovery can send it.
ALTER TYPE "DeliveryStatus" ADD VALUE 'skipped';

-- Each delivery's number among its endpoint's deliveries, 1, 2, 3… in the order they were
-- created (X-DB24x7-Endpoint-Sequence); null for deliveries made before numbering.
ALTER TABLE "deliveries" ADD COLUMN "sequence" BIGINT;
CREATE INDEX "deliveries_endpoint_id_sequence_idx" ON "deliveries"("endpoint_id", "sequence");
