// The API's one error shape: { error: { code, message, details? } }.
import { jsonResponse } from "./json-response";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Headers the error answer carries, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const forbidden = (message = "Your role does not allow this action") =>
  new ApiError(403, "forbidden", message);
export const unauthorized = (message = "Authentication required") =>
  new ApiError(401, "unauthorized", message);

export function errorResponse(error: ApiError, headers?: HeadersInit): Response {
  const body: { code: string; message: string; details?: unknown } = {
    code: error.code,
    message: error.message,
  };
  if (error.details !== undefined) body.details = error.details;
  return jsonResponse({ error: body }, { status: error.status, headers });
}
