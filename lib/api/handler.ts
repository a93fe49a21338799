import "server-only";
import type { Role } from "@prisma/client";
import type { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import type { ZodType } from "zod";
import { authenticateApiKey, callerForSession, type Caller } from "../auth/caller";
import { clientAddress } from "../auth/client-address";
import { hasRole } from "../auth/roles";
import { sessionIdOf } from "../auth/sessions";
import { tooManyAttempts } from "../auth/throttle";
import { config } from "../config";
import { publicOrigin } from "../public-url";
import { ApiError, errorResponse, forbidden, unauthorized } from "./errors";
import { jsonResponse, withApiHeaders } from "./json-response";

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

interface RouteOptions<B, Q> {
  /** Least role allowed; viewers can read everything by default. */
  role?: Role;
  body?: ZodType<B>;
  query?: ZodType<Q>;
  maxBodyBytes?: number;
}

interface HandlerContext<B, Q> {
  req: NextRequest;
  caller: Caller;
  body: B;
  query: Q;
  params: Record<string, string>;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * The one wrapper every /api/v1 handler goes through: authenticates (API key or session),
 * checks the role and cross-site requests, parses input with zod, maps errors to the API's
 * error shape. Handlers return a Response or a JSON-serialisable value (200).
 */
export function apiRoute<B = undefined, Q = Record<string, never>>(
  options: RouteOptions<B, Q>,
  handler: (ctx: HandlerContext<B, Q>) => Promise<Response | object>,
) {
  return async (req: NextRequest, route: RouteContext): Promise<Response> => {
    try {
      const caller = await authenticate(req);
      if (options.role && !hasRole(caller.role, options.role)) throw forbidden();
      const query = options.query
        ? parse(options.query, storable(Object.fromEntries(req.nextUrl.searchParams), "query"), "query")
        : ({} as Q);
      const body = options.body
        ? parse(options.body, storable(await readJson(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES), "body"), "body")
        : (undefined as B);
      const params = Object.fromEntries(
        Object.entries((await route?.params) ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]),
      );
      // No id contains such text: answer as for any other id that does not exist.
      if (Object.values(params).some((v) => !isStorableText(v))) throw new ApiError(404, "not_found", "Not found");
      const result = await handler({ req, caller, body, query, params });
      return result instanceof Response ? withApiHeaders(result) : jsonResponse(result);
    } catch (error) {
      if (error instanceof ApiError) {
        return errorResponse(error, error.status === 401 ? { "WWW-Authenticate": "Bearer", ...error.headers } : error.headers);
      }
      console.error(`[api] ${req.method} ${req.nextUrl.pathname} failed`, error);
      return errorResponse(new ApiError(500, "internal_error", "Something went wrong on our side"));
    }
  };
}

async function authenticate(req: NextRequest): Promise<Caller> {
  const authorization = req.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthorized("Authorization header must be `Bearer <api key>`");
    const result = await authenticateApiKey(match[1], clientAddress(req.headers));
    if (result.ok) return result.caller;
    if (result.locked) throw tooManyAttempts("invalid API keys from your address", result.retryAfterSeconds);
    throw new ApiError(401, "invalid_api_key", "The API key is invalid, expired or revoked");
  }
  const sessionId = sessionIdOf(await getToken({ req, secret: config().NEXTAUTH_SECRET }));
  if (!sessionId) throw unauthorized();
  // Cookies ride along on cross-site requests; a mutation must come from our own origin.
  if (!SAFE_METHODS.has(req.method) && !isSameOrigin(req)) {
    throw new ApiError(403, "cross_site_request", "Cross-site request refused");
  }
  // Also null when the session has ended (signed out; a password, role or membership change).
  const caller = await callerForSession(sessionId);
  if (!caller) throw unauthorized("Your session has ended: sign in again");
  return caller;
}

// Compared with the configured public origin, never with Host or X-Forwarded-Host: anyone can
// send those, and behind a proxy they are whatever it passes on.
function isSameOrigin(req: NextRequest): boolean {
  const origin = req.headers.get("origin");
  if (!origin) return req.headers.get("sec-fetch-site") === "same-origin";
  return origin === publicOrigin();
}

async function readJson(req: NextRequest, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "Request body must be a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "invalid_json", `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

function tooLarge(maxBytes: number) {
  return new ApiError(413, "payload_too_large", `Request body exceeds ${Math.round(maxBytes / 1024)} KB`);
}

// PostgreSQL text cannot hold NUL, and an unpaired surrogate has no UTF-8 form: text with
// either would fail in the database (a 500) or be silently altered, so it is refused up front.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !UNPAIRED_SURROGATE.test(text);
}

/** Throws 400 when any string or key in the input is not storable text; walks without recursion. */
function storable<T>(input: T, where: "body" | "query"): T {
  const stack: unknown[] = [input];
  while (stack.length > 0) {
    const value = stack.pop();
    const bad =
      typeof value === "string"
        ? !isStorableText(value)
        : value !== null && typeof value === "object" && Object.entries(value).some(([key, child]) => (stack.push(child), !isStorableText(key)));
    if (bad) {
      throw new ApiError(400, "invalid_request", `Invalid ${where}: text must not contain NUL characters or unpaired surrogates`);
    }
  }
  return input;
}

function parse<T>(schema: ZodType<T>, input: unknown, where: "body" | "query"): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError(
    400,
    "invalid_request",
    `Invalid ${where}: ${result.error.issues.map((i) => `${i.path.join(".") || where} ${i.message}`).join("; ")}`,
    result.error.issues,
  );
}
