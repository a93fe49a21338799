import "server-only";
import { ApiError } from "../api/errors";
import { checkEndpointUrl, checkUrlShape, type UrlCheck } from "./url-policy";
import type { EnvironmentName } from "./schemas";

function refuse(result: Extract<UrlCheck, { ok: false }>): never {
  // Shaped like a zod issue on `url`, so clients show it under the URL field either way.
  throw new ApiError(400, "url_not_allowed", result.message, [{ path: ["url"], code: result.rule, message: result.message }]);
}

/** Every URL rule, resolving the host when needed; throws the API's `url_not_allowed`. */
export async function assertUrlAllowed(url: string, environment: EnvironmentName): Promise<void> {
  const result = await checkEndpointUrl(url, { environment });
  if (!result.ok) refuse(result);
}

/** The rules that need no network (used again inside a transaction with the locked row). */
export function assertUrlShape(url: string, environment: EnvironmentName): void {
  const result = checkUrlShape(url, environment);
  if (!result.ok) refuse(result);
}
