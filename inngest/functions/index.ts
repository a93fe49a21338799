import type { InngestFunction } from "inngest";

// Every durable function the app serves; each lives in its own file beside this one.
export const functions: InngestFunction.Any[] = [];
