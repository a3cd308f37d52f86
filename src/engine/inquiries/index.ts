export * from "./errors.ts";
export * from "./expiry.ts";
export * from "./model.ts";
export * from "./service.ts";
export * from "./trigger.ts";
export * from "./validate.ts";
