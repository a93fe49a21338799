// GET /api/v1/openapi.json — the API description (OpenAPI 3.1), from the routes' zod schemas
import { apiRoute } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/api/openapi";

export const GET = apiRoute({}, async ({ req }) => openApiDocument(req.nextUrl.origin));
