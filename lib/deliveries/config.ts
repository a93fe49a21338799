// Delivery settings live with the rest of the validated configuration (lib/config.ts).
export { deliveryConfig, type DeliveryConfig } from "../config";
