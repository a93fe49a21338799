// Any other /api/v1 path: the API's JSON 404 rather than Next's HTML page.
import { ApiError, errorResponse } from "@/lib/api/errors";

const notFound = async () => errorResponse(new ApiError(404, "route_not_found", "No such API route"));

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
