/** Resolved attributes: attribute id → values, in resolution order. */
export type AttributeValues = Readonly<Record<string, readonly string[]>>;
