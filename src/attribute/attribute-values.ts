/** Resolved attributes: attribute id → values, in resolution order. */
export type AttributeValues = Readonly<Record<string, readonly string[]>>;

export function attributeIds(values: AttributeValues): string[] {
  return Object.keys(values).filter((id) => (values[id]?.length ?? 0) > 0);
}
